"""Typed errors for biometric input. Each names the problem; the API maps them by status."""

from __future__ import annotations

from ctnode.errors import InvalidInput, TooLarge, Unavailable


class NotAnImage(InvalidInput, code="not_an_image"):
    """The bytes are not an image in a format the node decodes (JPEG, PNG, WSQ, JPEG 2000, ...)."""


class TruncatedImage(InvalidInput, code="truncated_image"):
    """The image header is valid but its pixel data ends early."""


class CorruptImage(InvalidInput, code="corrupt_image"):
    """The image decodes only with decoder warnings: damaged data (changed bytes, bad checksums).

    A damaged stream can still yield pixels, but a face or print made from them may no longer
    match its person; the node refuses it rather than enrol or search garbage.
    """


class UnsupportedImage(InvalidInput, code="unsupported_image"):
    """A valid image in a format or variant the node does not decode (e.g. GIF, CMYK JPEG-LS)."""


class ImageTooLarge(TooLarge, code="image_too_large"):
    """The image declares more pixels than ``CTNODE_BIOMETRIC_MAX_IMAGE_PIXELS`` (a bomb)."""


class NoFace(InvalidInput, code="no_face"):
    """No face was found in the image."""


class SeveralFaces(InvalidInput, code="several_faces"):
    """More than one face was found and the caller asked not to pick the largest."""


class PoorPrint(InvalidInput, code="poor_print"):
    """Too few minutiae could be extracted from a fingerprint image to search or enrol it."""


class MalformedNist(InvalidInput, code="malformed_ansi_nist"):
    """An ANSI/NIST-ITL transaction is malformed or uses a record or encoding the node refuses."""


class NistTooLarge(TooLarge, code="ansi_nist_too_large"):
    """An ANSI/NIST-ITL transaction exceeds the node's budget: records, or decoded pixels in all."""


class ModelMismatch(InvalidInput, code="model_mismatch"):
    """A template was made by another model or engine than the ones this node compares."""


class EngineUnavailable(Unavailable, code="biometric_engine_unavailable"):
    """A biometric engine (face model file, NBIS native library) is not installed on this node."""
