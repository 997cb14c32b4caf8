"""Model fields whose content is sealed with the row's data key and read back as plain values.

Declare the field next to a foreign key to ``vault.DataKey`` and name that key::

    class Case(models.Model):
        data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT)
        narrative = EncryptedTextField(key_field="data_key", blank=True, null=True)
        statement = EncryptedBinaryField(key_field="data_key", null=True)

    case.narrative = "what happened"   # held in memory as plaintext
    case.save()                        # pre_save seals it: only ciphertext reaches the database
    case.narrative                     # "what happened"; after a fresh load, opened on first read

Each field has two attributes. ``narrative`` is the plaintext; ``narrative_sealed`` is what the
column holds (``Sealed`` bytes), loaded eagerly and opened lazily on first access, so a list of
shredded cases still renders and only reading the content raises ``Shredded``. The column is
named after the field (``narrative``). The purpose bound into the ciphertext is
``"app_label.Model.field"``, plus ``"#<pk>"`` with ``bind_row=True`` (which needs the primary
key before the first save, e.g. a UUID primary key with a default), so ciphertext copied to
another field, another subject or (with ``bind_row``) another row of the same subject does not
open.

What works: ``save()``, ``save(update_fields=["narrative"])``, ``create()``, ``bulk_create()``,
``refresh_from_db()`` (drops unsaved plaintext like any other field), ``only()``/``defer()``,
``narrative__isnull`` lookups, ``bulk_update()`` of values read but not changed, ``dumpdata``
(writes ciphertext as base64). What does not, by design: any other lookup on an encrypted field
(``filter(narrative="x")``, ``__contains``...) raises FieldError; ``QuerySet.update(narrative=...)``
and ``bulk_update()`` of newly assigned plaintext raise VaultError (set on the instance and
``save()``); ``values()``/``values_list()`` return the sealed bytes, never plaintext; the fields
are not editable in ModelForms (use a form field and assign). ``default`` other than None is
refused: assign a value before saving. Changing an instance's data key re-seals the fields that
were read or assigned since it was loaded; any other encrypted field would be left under the old
key, so saving refuses until it has been read.
"""

from __future__ import annotations

import base64
import uuid
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.core import checks, validators
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.expressions import Expression
from django.db.models.fields import NOT_PROVIDED
from django.db.models.lookups import Lookup
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import Promise

from redress.core.text import refuse_unencodable, validate_encodable
from redress.vault.actions import open_sealed, seal
from redress.vault.errors import VaultError
from redress.vault.models import DataKey

_P = TypeVar("_P", str, bytes)
# The set and get types django-stubs' mypy plugin fills in for a declared field.
_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)

if TYPE_CHECKING:
    _Field = models.Field
else:

    class _Field(models.Field):
        """Field, subscriptable at runtime like its stubs (without django_stubs_ext's patch)."""

        def __class_getitem__(cls, params: object) -> type:
            return cls


class Sealed(bytes):
    """Ciphertext as the database holds it: the only value an encrypted column will accept."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<Sealed {len(self)} bytes>"


class _Unsealed:
    """In ``<field>_sealed`` while the plaintext was assigned but not yet sealed by a save."""

    def __repr__(self) -> str:
        return "<not sealed yet>"


UNSEALED = _Unsealed()


def _forgotten() -> None:
    return None


class _Plain(Generic[_P]):
    """Plaintext held on an instance: ``dirty`` when assigned, else opened from ``sealed``."""

    __slots__ = ("dirty", "sealed", "value")
    value: _P | None
    dirty: bool
    sealed: Sealed | None

    def __init__(self, value: _P | None, *, dirty: bool, sealed: Sealed | None) -> None:
        self.value = value
        self.dirty = dirty
        self.sealed = sealed

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # Pickles (caches, sessions) must never carry plaintext: a clean copy is dropped and
        # reopened from the ciphertext; unsaved plaintext cannot be pickled at all.
        if self.dirty:
            raise TypeError("encrypted content assigned but not saved cannot be pickled")
        return (_forgotten, ())

    def __copy__(self) -> _Plain[_P]:
        return _Plain(self.value, dirty=self.dirty, sealed=self.sealed)

    def __deepcopy__(self, memo: dict[int, Any]) -> _Plain[_P]:
        return self.__copy__()


class _SealedAttribute(DeferredAttribute):
    """``<field>_sealed``: the column's ciphertext, deferred-loadable like any field."""

    field: _EncryptedField[Any, Any, Any]

    def __set__(self, instance: models.Model, value: object) -> None:
        data = instance.__dict__
        attname = self.field.attname
        if value is UNSEALED or (attname in data and data[attname] is value):
            data[attname] = value
            return
        data[attname] = self.field.to_python(value)
        # New ciphertext (a load, a refresh) makes any plaintext held for the old one stale.
        data.pop(self.field.plain_slot, None)


class _PlaintextAttribute(Generic[_P]):
    """``<field>``: reads open the ciphertext once; writes hold plaintext until the next save."""

    field: _EncryptedField[Any, Any, _P]

    def __init__(self, field: _EncryptedField[Any, Any, _P]) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return self.field.read(instance)

    def __set__(self, instance: models.Model, value: object) -> None:
        self.field.assign(instance, value)


class _EncryptedField(_Field[_ST, _GT], Generic[_ST, _GT, _P]):
    """Stored in a binary column (``get_internal_type``); see the module docstring."""

    descriptor_class = _SealedAttribute
    empty_values: ClassVar[list[object]] = [None, "", b""]  # type: ignore[misc]

    def __init__(self, *args: Any, key_field: str, bind_row: bool = False, **kwargs: Any) -> None:
        if kwargs.get("default", NOT_PROVIDED) not in (NOT_PROVIDED, None):
            raise TypeError("encrypted fields take no default: assign the value before saving")
        for option in ("unique", "db_index", "primary_key"):
            if kwargs.get(option):
                raise TypeError(f"encrypted fields cannot be {option}: ciphertext is random")
        self.key_field = key_field
        self.bind_row = bind_row
        # Not in ModelForms by default: initial values would be ciphertext (see module docs).
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
        if self.max_length is not None:  # of the plaintext: characters, or bytes
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_placeholder(self, value: Any, compiler: Any, connection: BaseDatabaseWrapper) -> Any:
        return connection.ops.binary_placeholder_sql(value)

    # -- naming: plaintext at ``name``, ciphertext at ``name_sealed``, column named ``name`` --

    def get_attname(self) -> str:
        return f"{self.name}_sealed"

    def get_attname_column(self) -> tuple[str, str]:
        return self.get_attname(), self.db_column or self.name

    @property
    def plain_slot(self) -> str:
        return f"_vault_plain_{self.name}"

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, name, _PlaintextAttribute(self))
        # Seal in the pre_save signal, before Model.save_base enters its transaction guard: a
        # refusal there (Shredded, a missing key) then leaves the caller's transaction usable.
        # bulk_create sends no signal and seals in pre_save() below instead.
        signals.pre_save.connect(self._seal_before_save, sender=cls)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        else:
            kwargs["editable"] = True
        kwargs["key_field"] = self.key_field
        if self.bind_row:
            kwargs["bind_row"] = True
        return name, path, list(args), kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        try:
            key = self.model._meta.get_field(self.key_field)
        except Exception:  # FieldDoesNotExist, reported below
            key = None
        related = getattr(key, "related_model", None)
        if key is None or (not key.many_to_one and not key.one_to_one) or related is None:
            errors.append(
                checks.Error(
                    f"key_field {self.key_field!r} must name a ForeignKey or OneToOneField "
                    "to vault.DataKey on the same model",
                    obj=self,
                    id="vault.E001",
                )
            )
        elif getattr(related, "_meta", None) is None or related._meta.label != "vault.DataKey":
            errors.append(
                checks.Error(
                    f"key_field {self.key_field!r} points at {related}, not vault.DataKey",
                    obj=self,
                    id="vault.E001",
                )
            )
        return errors

    # -- database values: only Sealed bytes go in, Sealed bytes come out --

    def get_default(self) -> None:
        return None

    def from_db_value(
        self, value: bytes | memoryview | None, expression: Expression, connection: Any
    ) -> Sealed | None:
        return None if value is None else Sealed(bytes(value))

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, Sealed) or value is UNSEALED:
            return value
        if isinstance(value, str):  # from a serializer: value_to_string wrote base64
            return Sealed(base64.b64decode(value))
        if isinstance(value, bytes | bytearray | memoryview):
            return Sealed(bytes(value))
        raise TypeError(f"{self.name}_sealed holds ciphertext, not {type(value).__name__}")

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, Sealed):
            return value
        raise VaultError(
            f"refusing to write {self.model._meta.label}.{self.name} unsealed: assign it on the "
            "instance and save(); QuerySet.update() and bulk_update() cannot seal"
        )

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        value = self.get_prep_value(value)
        if value is None:
            return None
        return connection.Database.Binary(bytes(value))  # type: ignore[attr-defined]

    def value_to_string(self, obj: models.Model) -> str:
        sealed = getattr(obj, self.attname)
        if sealed is UNSEALED:
            raise VaultError(f"{self.name} was assigned but not saved; save before serialising")
        return "" if sealed is None else base64.b64encode(sealed).decode("ascii")

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        # Ciphertext is random: equality, ordering and containment would all be meaningless.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        """Validate the plaintext that would be sealed (max_length, blank, null), not ciphertext."""
        plain: object = value
        if value is UNSEALED and model_instance is not None:
            slot = model_instance.__dict__.get(self.plain_slot)
            plain = slot.value if slot is not None else None
        elif isinstance(value, Sealed):
            return value  # already sealed and stored: nothing new to validate
        self.validate(plain, model_instance)
        if plain not in self.empty_values:
            self.run_validators(plain)
        return value

    # -- sealing on save, opening on read --

    def _seal_before_save(
        self,
        sender: type[models.Model],
        instance: models.Model,
        raw: bool = False,
        update_fields: frozenset[str] | None = None,
        **kwargs: Any,
    ) -> None:
        if raw:
            return
        if update_fields is not None and not {self.name, self.attname} & set(update_fields):
            return
        if self.attname in instance.__dict__:  # not deferred
            self.pre_save(instance, add=instance._state.adding)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        data = model_instance.__dict__
        slot: _Plain[_P] | None = data.get(self.plain_slot)
        if slot is not None and slot.dirty:
            return self._seal_into(model_instance, slot.value)
        sealed = getattr(model_instance, self.attname)
        if sealed is None or sealed is UNSEALED:
            return None if sealed is UNSEALED else sealed
        key_id = getattr(model_instance, self._key_attname())
        if key_id is not None and bytes(sealed[1:17]) == _uuid_bytes(key_id):
            return sealed
        if slot is not None and slot.sealed is sealed:
            # The data key was changed after this field was read: re-seal under the new one.
            return self._seal_into(model_instance, slot.value)
        raise VaultError(
            f"{model_instance._meta.label}.{self.name} is sealed under another data key than "
            f"{self.key_field!r} now names; read it before changing the key so it can be re-sealed"
        )

    def read(self, instance: models.Model) -> _P | None:
        data = instance.__dict__
        slot: _Plain[_P] | None = data.get(self.plain_slot)
        if slot is not None and slot.dirty:
            return slot.value
        sealed = getattr(instance, self.attname)  # loads the column if it was deferred
        if sealed is None:
            return None
        if sealed is UNSEALED:
            raise VaultError(f"{self.name}: plaintext was lost before it was sealed")
        # Loading a deferred column replaces the slot, so look again.
        opened: _Plain[_P] | None = data.get(self.plain_slot)
        if opened is not None and opened.sealed is sealed:
            return opened.value
        plain = self.decode(
            open_sealed(self._key_of(instance), sealed, purpose=self.purpose_for(instance))
        )
        data[self.plain_slot] = _Plain(plain, dirty=False, sealed=sealed)
        return plain

    def assign(self, instance: models.Model, value: object) -> None:
        plain = None if value is None else self.coerce(value)
        instance.__dict__[self.attname] = UNSEALED
        instance.__dict__[self.plain_slot] = _Plain(plain, dirty=True, sealed=None)

    def purpose_for(self, instance: models.Model) -> str:
        purpose = f"{self.model._meta.label}.{self.name}"
        if self.bind_row:
            if instance.pk is None:
                raise VaultError(
                    f"{purpose} is bound to its row and needs the primary key before saving"
                )
            purpose = f"{purpose}#{instance.pk}"
        return purpose

    def coerce(self, value: object) -> _P:
        raise NotImplementedError

    def encode(self, value: _P) -> bytes:
        raise NotImplementedError

    def decode(self, raw: bytes) -> _P:
        raise NotImplementedError

    def _seal_into(self, instance: models.Model, value: _P | None) -> Sealed | None:
        sealed = None
        if value is not None:
            key = self._key_of(instance)
            sealed = Sealed(seal(key, self.encode(value), purpose=self.purpose_for(instance)))
        setattr(instance, self.attname, sealed)
        if sealed is not None:
            instance.__dict__[self.plain_slot] = _Plain(value, dirty=False, sealed=sealed)
        return sealed

    def _key_attname(self) -> str:
        return str(self.model._meta.get_field(self.key_field).attname)  # type: ignore[union-attr]

    def _key_of(self, instance: models.Model) -> DataKey:
        key = None
        if getattr(instance, self._key_attname()) is not None:
            key = getattr(instance, self.key_field)
        if key is None:
            raise VaultError(
                f"{instance._meta.label}.{self.name} needs a data key in {self.key_field!r}"
            )
        if not isinstance(key, DataKey):
            raise VaultError(f"{self.key_field!r} must hold a vault DataKey")
        return key


def _uuid_bytes(value: object) -> bytes:
    return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).bytes


class EncryptedTextField(_EncryptedField[_ST, _GT, str]):
    """Text sealed with the row's data key; reads and assigns ``str`` (or None when null)."""

    _pyi_private_set_type: str
    _pyi_private_get_type: str

    description = "Text sealed with the row's vault data key"
    default_validators = [validate_encodable]

    def coerce(self, value: object) -> str:
        if isinstance(value, Promise):
            value = str(value)
        if not isinstance(value, str):
            raise TypeError(f"{self.name} takes text, not {type(value).__name__}")
        return value

    def encode(self, value: str) -> bytes:
        # Text UTF-8 cannot encode (a lone surrogate) is refused as a bad request, not a 500;
        # it is raised inside the save, so the transaction around it stores nothing.
        return refuse_unencodable(value)

    def decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise VaultError(f"{self.name} did not hold UTF-8 text") from None


class EncryptedBinaryField(_EncryptedField[_ST, _GT, bytes]):
    """Bytes sealed with the row's data key; reads ``bytes`` (or None when null)."""

    _pyi_private_set_type: bytes | bytearray | memoryview
    _pyi_private_get_type: bytes

    description = "Bytes sealed with the row's vault data key"

    def coerce(self, value: object) -> bytes:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(f"{self.name} takes bytes, not {type(value).__name__}")
        return bytes(value)

    def encode(self, value: bytes) -> bytes:
        return value

    def decode(self, raw: bytes) -> bytes:
        return raw


__all__ = ["UNSEALED", "EncryptedBinaryField", "EncryptedTextField", "Sealed"]
