"""Typed errors for biometric input. Each names the problem; the API maps them by status."""

from __future__ import annotations

from ctnode.errors import InvalidInput, TooLarge, Unavailable


class NotAnImage(InvalidInput):
    """The bytes are not an image in a format the node decodes (JPEG, PNG, WSQ, JPEG 2000, ...)."""

    code = "not_an_image"


class TruncatedImage(InvalidInput):
    """The image header is valid but its pixel data ends early."""

    code = "truncated_image"


class CorruptImage(InvalidInput):
    """The image decodes only with decoder warnings: damaged data (changed bytes, bad checksums).

    A damaged stream can still yield pixels, but a face or print made from them may no longer
    match its person; the node refuses it rather than enrol or search garbage.
    """

    code = "corrupt_image"


class UnsupportedImage(InvalidInput):
    """A valid image in a format or variant the node does not decode (e.g. GIF, CMYK JPEG-LS)."""

    code = "unsupported_image"


class ImageTooLarge(TooLarge):
    """The image declares more pixels than ``CTNODE_BIOMETRIC_MAX_IMAGE_PIXELS`` (a bomb)."""

    code = "image_too_large"


class NoFace(InvalidInput):
    """No face was found in the image."""

    code = "no_face"


class SeveralFaces(InvalidInput):
    """More than one face was found and the caller asked not to pick the largest."""

    code = "several_faces"


class PoorPrint(InvalidInput):
    """Too few minutiae could be extracted from a fingerprint image to search or enrol it."""

    code = "poor_print"


class MalformedNist(InvalidInput):
    """An ANSI/NIST-ITL transaction is malformed or uses a record or encoding the node refuses."""

    code = "malformed_ansi_nist"


class NistTooLarge(TooLarge):
    """An ANSI/NIST-ITL transaction exceeds the node's budget: records, or decoded pixels in all."""

    code = "ansi_nist_too_large"


class ModelMismatch(InvalidInput):
    """A template was made by another model or engine than the ones this node compares."""

    code = "model_mismatch"


class EngineUnavailable(Unavailable):
    """A biometric engine (face model file, NBIS native library) is not installed on this node."""

    code = "biometric_engine_unavailable"
