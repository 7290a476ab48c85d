"""Face templates with the default model (YuNet + SFace): pairs, several faces, no face."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.biometrics.errors import NoFace, SeveralFaces
from ctnode.biometrics.face import FaceBox, SFaceEmbedder, choose_face, cosine, load_embedder
from ctnode.biometrics.images import decode_image
from tests.biometrics.kit import Material


def _img(path: Path):  # type: ignore[no-untyped-def]
    return decode_image(path.read_bytes(), max_pixels=50_000_000, mode="RGB")


def _decoded(data: bytes):  # type: ignore[no-untyped-def]
    return decode_image(data, max_pixels=50_000_000, mode="RGB")


@pytest.fixture(scope="module")
def sface() -> SFaceEmbedder:
    emb = load_embedder("sface")
    assert isinstance(emb, SFaceEmbedder)
    return emb


def test_choose_face_says_which_face_was_used() -> None:
    small, big = FaceBox(0, 0, 50, 60, 0.9), FaceBox(100, 100, 200, 240, 0.95)
    best, note = choose_face([small, big], "largest")
    assert best == big and "2 faces found; used the largest" in note
    with pytest.raises(SeveralFaces):
        choose_face([small, big], "refuse")
    with pytest.raises(NoFace):
        choose_face([], "largest")
    with pytest.raises(NoFace, match="large enough"):
        choose_face([FaceBox(0, 0, 10, 10, 0.9)], "largest")


def test_same_person_scores_above_threshold_and_others_below(
    sface: SFaceEmbedder, bio_files: Material
) -> None:
    a, b, other = (sface.embed(_decoded(bio_files.face(n))) for n in ("a1", "a2", "b"))
    assert a.model_id.startswith("sface-2021dec-int8bq:") and a.engine.startswith("opencv-dnn-4/")
    assert a.vector.shape == (128,)
    assert cosine(a.vector, b.vector) >= 0.40
    assert cosine(a.vector, other.vector) < 0.30


def test_several_faces_use_largest_with_note_or_refuse(
    sface: SFaceEmbedder, bio_files: Material
) -> None:
    group = _decoded(bio_files.face("group"))
    tpl = sface.embed(group, multiple="largest")
    assert tpl.faces_found >= 2 and "used the largest" in tpl.note
    with pytest.raises(SeveralFaces):
        sface.embed(group, multiple="refuse")


def test_no_face_in_a_fingerprint(sface: SFaceEmbedder, bio_files: Material) -> None:
    with pytest.raises(NoFace):
        sface.embed(_decoded(bio_files.finger(1)))


def test_an_operator_onnx_model_plugs_in(sface: SFaceEmbedder, bio_files: Material) -> None:
    """The SFace file loaded as an 'operator model' gives SFace's vectors under its own id."""
    from ctnode.biometrics.face import SFACE_FILE, OnnxFaceEmbedder, bundled_sface_dir

    onnx = OnnxFaceEmbedder(bundled_sface_dir() / SFACE_FILE, threshold=0.4, mean=0.0, scale=1.0)
    assert onnx.dim == 128 and onnx.model_id.startswith("onnx:face_recognition_sface")
    assert onnx.model_id != sface.model_id  # never compared with the built-in model's templates
    img = _decoded(bio_files.face("a1"))
    assert cosine(onnx.embed(img).vector, sface.embed(img).vector) > 0.98


def test_every_face_of_a_group_photo_gets_a_template(sface: SFaceEmbedder, bio_data: Path) -> None:
    group = _img(bio_data / "faces" / "deepface" / "selfie-many-people.jpg")
    faces = sface.embed_all(group)
    assert len(faces) >= 4
    assert [f.number for f in faces] == list(range(1, len(faces) + 1))
    assert all(f.quality is not None for f in faces)
    areas = [f.face.area for f in faces]
    assert areas == sorted(areas, reverse=True)  # face 1 is the largest
    boxes = {(f.face.x, f.face.y) for f in faces}
    assert len(boxes) == len(faces)
    assert "face 2 of" in faces[1].note
    described = faces[1].describe()
    assert described["face"] == 2 and described["box"]["w"] > 0 and described["quality"]["score"]


def test_a_person_who_is_not_the_largest_face_is_found(
    sface: SFaceEmbedder, bio_data: Path
) -> None:
    """The listed person is face 2 of a group photo: searching only the largest missed her."""
    import numpy as np

    from ctnode.biometrics.calibration import calibration_for
    from ctnode.biometrics.images import DecodedImage
    from ctnode.biometrics.index import FastFaceIndex
    from ctnode.biometrics.search import search_faces

    group = _img(bio_data / "faces" / "deepface" / "couple.jpg")
    faces = sface.embed_all(group)
    assert len(faces) == 2
    # the enrolled photo of the listed person: face 2, cropped with a margin and shrunk
    b = faces[1].face
    y0, x0 = max(0, b.y - b.h), max(0, b.x - b.w)
    crop = group.pixels[y0 : b.y + 2 * b.h, x0 : b.x + 2 * b.w]
    crop = np.ascontiguousarray(crop[::2, ::2])
    listed = sface.embed(DecodedImage(crop, crop.shape[1], crop.shape[0], "JPEG"))
    index = FastFaceIndex(128)
    rng = np.random.default_rng(0)
    others = rng.standard_normal((200, 128)).astype(np.float32)
    others /= np.linalg.norm(others, axis=1, keepdims=True)
    index.add([f"other-{i}" for i in range(200)], others)
    index.add(["listed"], listed.vector.reshape(1, -1))
    cal = calibration_for("face", sface.model_id, default_match=sface.default_threshold)
    answers = search_faces(index, faces, cal, k=5)
    assert [a.face.number for a in answers] == [1, 2]
    assert answers[1].best is not None and answers[1].best.template_id == "listed"
    assert answers[1].best.decision == "match" and answers[1].peer_hit
    assert all(c.template_id != "listed" for c in answers[0].candidates)
    assert answers[1].as_dict()["face"] == 2
