"""PDF: active content removed with pikepdf (qpdf), then metadata removed with pypdf.

Which tool does the job:

- pikepdf, the Python face of qpdf, opens the file (refusing one it cannot open or decrypt with
  an empty password), and every action, script and attachment is removed from the objects it
  gives: the /JavaScript and /EmbeddedFiles name trees, /OpenAction, /AA (document, page,
  annotation and form field additional actions), /JS wherever it appears, Launch, URI,
  SubmitForm, ImportData, GoToR, GoToE, Rendition and RichMedia actions, embedded file streams
  (/EF, /AF), FileAttachment and RichMedia annotations, and /AcroForm /XFA. qpdf then writes a
  new file holding only the objects the document still reaches, so earlier revisions and
  incremental updates (one that re-adds JavaScript, say) are not carried over. The written file is
  opened again and must hold none of it, or the upload is refused.
- pypdf removes the document information dictionary (author, creator, producer, title, dates...),
  XMP streams, application private data, authors of annotations, as before.

Hand-written code remains in two places. The walk below that decides which dictionaries are
actions is ours: neither pikepdf nor qpdf has a "remove active content" call (mat2 does not
remove actions either: it renders every page to a picture, which loses the text a caseworker
searches). And EXIF/XMP/IPTC/comments inside embedded JPEG pictures are removed segment by
segment by ``images.strip_jpeg``, so the pixels are not re-encoded.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

from redress.intake.sanitiser.images import strip_jpeg
from redress.intake.sanitiser.shared import NAMES_LIMIT, Refusal, file_name
from redress.intake.upload_words import (
    AUTHOR,
    CUSTOM_PROPERTIES,
    DATES,
    EMBEDDED_FILES,
    FORM_SENDING,
    JAVASCRIPT,
    OPENING_ACTIONS,
    OTHER_DATA,
    OTHER_PROGRAMS,
    PROGRAM,
    REVIEWERS,
    TITLE,
    WEB_LINKS,
    XFA_FORMS,
    XMP,
)

if TYPE_CHECKING:
    import pikepdf
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, StreamObject


# Actions that reach outside the document or run code, by their /S, and what they are called.
_ACTIONS: Final = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": OTHER_PROGRAMS,
    "/GoToR": OTHER_PROGRAMS,
    "/GoToE": OTHER_PROGRAMS,
    "/URI": WEB_LINKS,
    "/SubmitForm": FORM_SENDING,
    "/ImportData": FORM_SENDING,
    "/Rendition": JAVASCRIPT,  # may carry /JS
    "/RichMediaExecute": JAVASCRIPT,
}
# Keys whose value is an action (or, for /Next, actions) to run.
_ACTION_KEYS: Final = ("/A", "/Next", "/PA")
_ATTACHMENT_ANNOTATIONS: Final = frozenset({"/FileAttachment", "/RichMedia"})
_PDF_INFO_LABELS: Final = {
    "/Author": AUTHOR,
    "/Creator": PROGRAM,
    "/Producer": PROGRAM,
    "/Title": TITLE,
    "/Subject": TITLE,
    "/Keywords": TITLE,
    "/CreationDate": DATES,
    "/ModDate": DATES,
    "/Trapped": None,  # a printing flag
}


def sanitise_pdf(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    from pypdf import PasswordType, PdfReader, PdfWriter  # only PDFs pay for importing it

    rewritten, active = _remove_active_content(data, remove=not keep_original)
    if keep_original and active:
        raise Refusal("active_kept")
    reader = PdfReader(io.BytesIO(data if rewritten is None else rewritten))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("") is not PasswordType.NOT_DECRYPTED
        except Exception:  # e.g. AES without the optional library
            opened = False
        if not opened:
            raise Refusal("protected")
    pages = len(reader.pages)
    found = active + _pdf_info_labels(reader)
    found += _pdf_clean_document(reader, remove=False)
    if keep_original:
        return None, found

    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    _pdf_clean_document(writer, remove=True)
    # Objects nothing points to any more (the old XMP, for one) would still be written out.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    cleaned = out.getvalue()

    check = PdfReader(io.BytesIO(cleaned))
    if len(check.pages) != pages or check.metadata:
        raise Refusal("unreadable")
    if _remove_active_content(cleaned, remove=False)[1]:
        raise Refusal("unreadable")
    return cleaned, found


def _remove_active_content(data: bytes, *, remove: bool) -> tuple[bytes | None, list[str]]:
    """(the file rewritten by qpdf without active content, or None; what it held).

    Refuses a file qpdf cannot open (damaged, or encrypted with a password) or write.
    """
    import pikepdf

    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Refusal("protected") from None
    except pikepdf.PdfError:
        raise Refusal("unreadable") from None
    with document:
        found = _active_content(document, remove=remove)
        if not remove:
            return None, found
        out = io.BytesIO()
        try:
            # Written afresh, not appended to: only objects still reached are written.
            document.save(out, fix_metadata_version=False, deterministic_id=True)
        except pikepdf.PdfError:
            raise Refusal("unreadable") from None
    return out.getvalue(), found


def _active_content(document: pikepdf.Pdf, *, remove: bool) -> list[str]:
    """Labels of every script, outward action and attachment reachable; with ``remove``, gone."""
    import pikepdf

    found: list[str] = []
    root = document.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key, label in (("/JavaScript", JAVASCRIPT), ("/EmbeddedFiles", EMBEDDED_FILES)):
            if key in names:
                found.append(label)
                if key == "/EmbeddedFiles":
                    found += _attachment_names(names[key])
                if remove:
                    del names[key]
    acroform = root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        found.append(XFA_FORMS)
        if remove:
            del acroform["/XFA"]
    for dictionary in _dictionaries(root):
        found += _clean_dictionary(dictionary, remove=remove)
    return found


def _clean_dictionary(dictionary: pikepdf.Object, *, remove: bool) -> list[str]:
    """What one dictionary holds of active content (its own keys, not its children)."""
    import pikepdf

    found: list[str] = []
    for key in ("/OpenAction", "/AA"):
        if key in dictionary:
            found.append(OPENING_ACTIONS)
            found += _action_labels(dictionary[key])
            if remove:
                del dictionary[key]
    for key in _ACTION_KEYS:
        if key in dictionary:
            labels = _action_labels(dictionary[key])
            if labels:
                found += labels
                if remove:
                    del dictionary[key]
    if "/EF" in dictionary:  # a file specification holding its file
        found += _file_spec_name(dictionary)
    for key, label in (("/JS", JAVASCRIPT), ("/EF", EMBEDDED_FILES), ("/AF", EMBEDDED_FILES)):
        if key in dictionary:
            found.append(label)
            if remove:
                del dictionary[key]
    if dictionary.get("/S") in _ACTIONS:  # an action reached some other way: made inert
        found.append(_ACTIONS[str(dictionary["/S"])])
        if remove:
            for key in list(dictionary.keys()):
                if key != "/Type":
                    del dictionary[key]
            dictionary["/S"] = pikepdf.Name("/GoTo")
            dictionary["/D"] = pikepdf.Array()
    annotations = dictionary.get("/Annots")
    if isinstance(annotations, pikepdf.Array):
        kept = [
            annotation
            for annotation in annotations
            if not (
                isinstance(annotation, pikepdf.Dictionary)
                and annotation.get("/Subtype") in _ATTACHMENT_ANNOTATIONS
            )
        ]
        if len(kept) != len(annotations):
            found.append(EMBEDDED_FILES)
            for annotation in annotations:
                if annotation not in kept and isinstance(annotation, pikepdf.Dictionary):
                    found += _file_spec_name(annotation.get("/FS"))
            if remove:
                dictionary["/Annots"] = pikepdf.Array(kept)
    return found


def _attachment_names(tree: pikepdf.Object) -> list[str]:
    """The names of the files in the /EmbeddedFiles name tree (``FileName``), as they call
    themselves: each file specification's /UF or /F, else its key in the tree."""
    import pikepdf

    found: list[str] = []
    try:
        for key, value in pikepdf.NameTree(tree).items():
            found += _file_spec_name(value) or file_name(key)
            if len(found) >= NAMES_LIMIT:
                break
    except (pikepdf.PdfError, TypeError, ValueError):
        pass  # a broken tree still goes; only its names are not told
    return found


def _file_spec_name(spec: object) -> list[str]:
    """A file specification's name (``FileName``): /UF (Unicode), else /F; a bare string too."""
    import pikepdf

    if isinstance(spec, pikepdf.String):
        return file_name(spec)
    if isinstance(spec, pikepdf.Dictionary):
        for key in ("/UF", "/F"):
            if isinstance(spec.get(key), pikepdf.String):
                return file_name(spec[key])
    return []


def _action_labels(value: Any) -> list[str]:
    """Labels for an action, a chain of actions, or a dictionary of triggers (/AA)."""
    import pikepdf

    found: list[str] = []
    pending = [value]
    seen: set[tuple[int, int]] = set()
    while pending:
        current = pending.pop()
        if getattr(current, "is_indirect", False):
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
        if isinstance(current, pikepdf.Array):
            pending.extend(current)
        elif isinstance(current, pikepdf.Dictionary):
            kind = current.get("/S")
            if kind is None:  # /AA: trigger names to actions
                pending.extend(value for _, value in current.items())
                continue
            if str(kind) in _ACTIONS:
                found.append(_ACTIONS[str(kind)])
            elif "/JS" in current:
                found.append(JAVASCRIPT)
            if "/Next" in current:
                pending.append(current["/Next"])
    return found


def _dictionaries(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """Every dictionary (and stream dictionary) reachable from ``root``, each once."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [root]
    while pending:
        current = pending.pop()
        if current.is_indirect:
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
        if isinstance(current, pikepdf.Array):
            pending.extend(item for item in current if _is_container(item))
        elif isinstance(current, (pikepdf.Dictionary, pikepdf.Stream)):
            yield current
            pending.extend(
                current[key]
                for key in list(current.keys())
                if key != "/Parent" and key in current and _is_container(current[key])
            )


def _is_container(value: Any) -> bool:
    import pikepdf

    return isinstance(value, (pikepdf.Array, pikepdf.Dictionary, pikepdf.Stream))


def _pdf_info_labels(reader: PdfReader) -> list[str]:
    info = reader.metadata
    if not info:
        return []
    found: list[str] = []
    for key, value in info.items():
        label = _PDF_INFO_LABELS.get(key, CUSTOM_PROPERTIES)
        if label is not None and str(value).strip():
            found.append(label)
    return found


def _pdf_clean_document(document: PdfReader | PdfWriter, *, remove: bool) -> list[str]:
    """What the catalogue, pages, annotations and pictures reveal; with ``remove``, remove it."""
    found: list[str] = []
    root = document.root_object
    found += _pdf_drop_keys(root, ("/Metadata",), XMP, remove=remove)
    found += _pdf_drop_keys(root, ("/PieceInfo",), OTHER_DATA, remove=remove)
    resources: list[DictionaryObject] = []
    for page in document.pages:
        found += _pdf_drop_keys(page, ("/Metadata",), XMP, remove=remove)
        found += _pdf_drop_keys(page, ("/PieceInfo",), OTHER_DATA, remove=remove)
        found += _pdf_annotation_authors(page.get("/Annots"), remove=remove)
        page_resources = page.get("/Resources")
        if page_resources is not None:
            resources.append(page_resources.get_object())
    for stream in _pdf_xobjects(resources):
        found += _pdf_drop_keys(stream, ("/Metadata",), XMP, remove=remove)
        found += _pdf_drop_keys(stream, ("/PieceInfo",), OTHER_DATA, remove=remove)
        if stream.get("/Subtype") == "/Image" and stream.get("/Filter") in (
            "/DCTDecode",
            ["/DCTDecode"],
        ):
            try:
                stripped, labels = strip_jpeg(stream.get_data(), keep_orientation=False)
            except Refusal:
                continue  # a picture we cannot parse stays as it is; the viewer decides
            found += labels
            if remove and labels:
                _set_encoded_data(stream, stripped)
    return found


def _set_encoded_data(stream: StreamObject, data: bytes) -> None:
    """Replace a stream's bytes as stored (still JPEG, still /DCTDecode).

    ``EncodedStreamObject.set_data`` would re-encode and refuses filters other than Flate; the
    base class stores what it is given.
    """
    from pypdf.generic import StreamObject

    StreamObject.set_data(stream, data)
    stream.decoded_self = None  # a cached decoding of the old bytes


def _pdf_drop_keys(dictionary: Any, keys: Iterable[str], label: str, *, remove: bool) -> list[str]:
    found: list[str] = []
    for key in keys:
        if key in dictionary:
            found.append(label)
            if remove:
                del dictionary[key]
    return found


def _pdf_annotation_authors(annotations: Any, *, remove: bool) -> list[str]:
    """Markup annotations (comments, highlights) carry their author in /T; form fields do not."""
    found: list[str] = []
    if annotations is None:
        return found
    for reference in annotations.get_object():
        annotation = reference.get_object()
        if not hasattr(annotation, "get") or annotation.get("/Subtype") == "/Widget":
            continue
        if str(annotation.get("/T", "")).strip():
            found.append(REVIEWERS)
            if remove:
                del annotation["/T"]
    return found


def _pdf_xobjects(resources: list[DictionaryObject]) -> Iterator[StreamObject]:
    """Every picture and form reachable from these resources, each once (forms nest)."""
    from pypdf.generic import DictionaryObject, StreamObject

    seen: set[int] = set()
    pending = list(resources)
    while pending:
        current = pending.pop()
        xobjects = current.get("/XObject")
        if xobjects is None:
            continue
        xobjects = xobjects.get_object()
        if not isinstance(xobjects, DictionaryObject):
            continue
        for reference in xobjects.values():
            stream = reference.get_object()
            if not isinstance(stream, StreamObject) or id(stream) in seen:
                continue
            seen.add(id(stream))
            yield stream
            nested = stream.get("/Resources")
            if nested is not None and isinstance(nested.get_object(), DictionaryObject):
                pending.append(nested.get_object())
