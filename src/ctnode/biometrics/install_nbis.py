"""Build NIST NBIS (MINDTCT + Bozorth3) for the installed ``afis`` package.

``pip install afis`` installs the Python side only; its native library is built
from the C sources in the source distribution. Run once after installing ctnode
(CI does): ``python -m ctnode.biometrics.install_nbis``. Needs a C compiler and
make; takes under a minute. Does nothing when the library is already present.
"""

# ruff: noqa: S603, S607  # runs pip and make with fixed arguments, on purpose

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

AFIS_VERSION = "1.2.7"


def native_available() -> bool:
    try:
        import afis
    except ImportError:
        return False
    return bool(afis.available_native())


def main() -> int:
    if native_available():
        print("NBIS native library already available")
        return 0
    pip = [sys.executable, "-m", "pip"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(
            [
                *pip,
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(work),
                f"afis=={AFIS_VERSION}",
            ],
            check=True,
        )
        sdist = next(work.glob(f"afis-{AFIS_VERSION}.tar.gz"))
        with tarfile.open(sdist) as tar:
            tar.extractall(work, filter="data")
        src = work / f"afis-{AFIS_VERSION}"
        subprocess.run(
            ["make", "-C", str(src / "native"), "install"], check=True, stdout=subprocess.DEVNULL
        )
        subprocess.run([*pip, "install", "--no-deps", "--force-reinstall", str(src)], check=True)
    ok = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import afis,sys; sys.exit(0 if afis.available_native() else 1)",
            ],
            check=False,
        ).returncode
        == 0
    )
    print("NBIS native library built" if ok else "NBIS native library still missing")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
