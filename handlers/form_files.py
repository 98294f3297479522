"""Messages that are not text, at a form: a file answering a file question (one document or
one photo, kept by its ``file_id``), and why anything else was not taken."""

from __future__ import annotations

from aiogram.types import Message

from bot.forms.attachment import Attachment
from bot.forms.engine import SUMMARY, Field, InvalidAnswer
from bot.forms.registry import form_of_draft
from bot.texts import forms as t
from bot.texts.markup import SafeHtml, visible
from handlers.form_chat import FormChat, advance
from handlers.formatting import formatted_html
from storage.models import FormDraft

PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".webp")


def attachment_of(message: Message) -> Attachment | None:
    """The document or photo a message carries (a photo's largest size) with its caption, as
    typed, its formatting kept as an announcement's text keeps it (bold, a hidden link), and
    a photo's spoiler and caption put above it, or None."""
    caption = _caption(message)
    if message.document is not None:
        document = message.document
        return Attachment("document", document.file_id, document.file_name, caption)
    if message.photo:
        spoiler, above = bool(message.has_media_spoiler), bool(message.show_caption_above_media)
        file_id = message.photo[-1].file_id
        return Attachment("photo", file_id, caption=caption, spoiler=spoiler, above=above)
    return None


def _caption(message: Message) -> SafeHtml | None:
    """The caption as HTML made from its entities, the blanks around it dropped; None: none."""
    html = SafeHtml(formatted_html(message).strip()) if message.caption else None
    return html if html and visible(html).strip() else None


def blank_file_question(message: Message, draft: FormDraft) -> Field | None:
    """At a summary that asks nothing, the file question a file sent there answers: one left
    blank («Пропустить»), whose author has thought better of it. None when the message has no
    file, or a file is attached already: a second one (the rest of an album) is not taken,
    saying how to replace the first (:func:`not_taken`)."""
    if draft.step != SUMMARY or attachment_of(message) is None:
        return None
    fields = form_of_draft(draft.form).spec.fields
    answers = draft.answers
    return next(
        (f for f in fields if f.file and f.applies(answers) and not answers.get(f.name)), None
    )


async def file_answer(chat: FormChat, draft: FormDraft, field: Field, message: Message) -> None:
    """A file question answered: the file taken and the form goes on (at the summary, the
    summary comes again showing it); a sticker, a voice or the like is told what fits."""
    attachment = attachment_of(message)
    if attachment is None:
        await chat.show(draft, note=f"❗ {t.FILE_KINDS}")
        return
    spec = form_of_draft(draft.form).spec
    try:
        answers = spec.attach(field.name, attachment, draft.answers)
    except InvalidAnswer as error:
        await chat.show(draft, note=f"❗ {error}")
        return
    advance(draft, answers, chat.ctx.now())
    await chat.show(draft, note=t.file_taken(field.show(answers[field.name])))


def not_taken(message: Message, field: Field | None, draft: FormDraft) -> str:
    """Why a message that is not text was not taken: a picture sent as a file at a photo
    question, a photo past the photo question's limit (the rest of an album), a file past a
    file question's one, or none of these."""
    document = message.document
    picture = document is not None and (
        (document.mime_type or "").startswith("image/")
        or (document.file_name or "").lower().endswith(PICTURE_SUFFIXES)
    )
    if field is not None and field.photos and picture:
        return t.PHOTO_AS_FILE
    if field is not None and field.photos and (message.video or message.animation):
        return t.PHOTO_NOT_VIDEO
    fields = form_of_draft(draft.form).spec.fields
    if attachment_of(message) is not None:
        kept = next((f for f in fields if f.file and draft.answers.get(f.name)), None)
        if kept is not None:
            return t.file_over(kept.show(draft.answers[kept.name]), kept.label)
    if message.photo:
        photo_fields = (f for f in fields if f.photos)
        if full := next(
            (f for f in photo_fields if len(draft.answers.get(f.name) or []) >= f.photos), None
        ):
            return t.photos_over(full.photos)
    return t.NEED_TEXT
