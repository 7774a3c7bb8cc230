"""Generated evidence for scripted case steps: a step whose script names its photos by a label
("处置后照片") takes that many small generated pictures uploaded first (cases.uploads.evidence), as a phone would.
Simple shapes and colours, no real photos of people."""

from __future__ import annotations

import hashlib
import io

from civicgrid.cases.uploads import evidence


def photo_bytes(label: str, size: tuple[int, int] = (160, 120)) -> bytes:
    """A JPEG drawn from the label: its hash picks the colours and where a block sits (a scene stand-in)."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(label.encode()).digest()
    sky, ground, thing = (tuple(digest[i:i + 3]) for i in (0, 3, 6))
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, h * 2 // 3, w, h), fill=ground)
    x, y = digest[9] % (w // 2), h // 3 + digest[10] % (h // 3)
    draw.rectangle((x, y, x + w // 4, y + h // 4), fill=thing, outline=(20, 20, 20), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def take(actor, case_id: int, action: str, facts: dict, comment: str = "", make_photo=None):
    """One scripted step: the photos its `attachments` labels stand for, generated, uploaded and taken with
    the step in one go (cases.uploads.evidence.transition_with_files: all or nothing)."""
    facts = dict(facts)
    labels = facts.pop("attachments", None) or []
    if labels and all(str(x).isdigit() for x in labels):  # real ids already
        facts["attachments"], labels = labels, []
    make_photo = make_photo or (lambda i, label: photo_bytes(f"{case_id}-{i}-{label}"))
    uploads = [("", make_photo(i, label)) for i, label in enumerate(labels)]
    return evidence.transition_with_files(actor=actor, case_id=case_id, action=action, uploads=uploads,
                                          comment=comment, facts=facts)
