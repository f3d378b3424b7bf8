"""The event contract: what is stored, published and read back must be the same
facts, Chinese text included; personal fields are sealed, states encrypted when a key
is set, erased subjects read as erased; unreadable events must be recognisable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select

from services.projection.projectors import ALL_PROJECTORS
from shared.contract.codec import EventMeta, UndecodableEvent, decode, encode
from shared.contract.envelope import Envelope, Undecodable, envelopes_from
from shared.contract.events import (
    EVENT_TYPES,
    HouseholdRegistered,
    MemberEnrolled,
    VisitRecorded,
)
from shared.contract.sealing import (
    ERASED_TEXT,
    MissingKey,
    SealingError,
    StoredSubjectKeys,
    Vault,
    new_cipher_key,
    store_cipher,
    subject_keys,
)
from shared.contract.vocabulary import MemberCategory, MembershipStatus
from shared.messaging import PROJECTIONS
from shared.settings import Settings, SettingsError
from shared.store import Notification
from tests.support.keys import MemorySubjectKeys
from tests.support.settings import made_store

text = st.text(min_size=1, max_size=40)
PLAIN = Vault(MemorySubjectKeys())
ENCRYPTED = Vault(MemorySubjectKeys(), store_cipher(new_cipher_key()))
vaults = st.sampled_from([PLAIN, ENCRYPTED])

meta = st.builds(
    EventMeta,
    branch_id=st.uuids(),
    actor=text,
    occurred_at=st.datetimes(timezones=st.just(UTC)),
    correlation_id=st.uuids(),
    causation_id=st.uuids(),
)

visits = st.builds(
    VisitRecorded,
    member_id=st.uuids(),
    household_id=st.uuids(),
    visited_on=st.dates(min_value=date(1921, 7, 1)),
    purpose=text,
    notes=st.none() | text,
)

households = st.builds(
    HouseholdRegistered,
    address=text,
    area=text,
    head_name=text,
    phone=st.none() | st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    tags=st.lists(text, max_size=4).map(tuple),
)


@given(event=visits | households, metadata=meta, vault=vaults)
def test_encoding_round_trips(
    event: VisitRecorded | HouseholdRegistered, metadata: EventMeta, vault: Vault
) -> None:
    topic, state = encode(event, metadata, uuid4(), vault)
    assert topic == type(event).__name__
    decoded = decode(topic, state, vault)
    assert decoded.event == event
    assert decoded.meta == metadata


@given(event=visits | households, metadata=meta, vault=vaults)
def test_envelopes_round_trip_through_json(
    event: VisitRecorded | HouseholdRegistered, metadata: EventMeta, vault: Vault
) -> None:
    stream = uuid4()
    topic, state = encode(event, metadata, stream, vault)
    envelope = Envelope.from_stored(
        position=7,
        stream_id=stream,
        stream_version=1,
        topic=topic,
        state=state,
        vault=vault,
        previous_position=5,
    )
    again = Envelope.from_json(envelope.to_json())
    assert again == envelope
    assert again.event(vault) == event
    assert again.actor == metadata.actor


def a_meta() -> EventMeta:
    return EventMeta(
        branch_id=uuid4(),
        actor="支部书记",
        occurred_at=datetime(2009, 11, 29, tzinfo=UTC),
        correlation_id=uuid4(),
        causation_id=uuid4(),
    )


def test_chinese_is_stored_as_utf8_not_escapes() -> None:
    event = MemberEnrolled(
        group_id=uuid4(),
        name="赵大娘",
        category=MemberCategory.RETIRED,
        status=MembershipStatus.FULL,
        holds_office=False,
    )
    _, state = encode(event, a_meta(), uuid4(), PLAIN)
    assert "赵大娘".encode() in state
    assert b"\\u" not in state
    assert json.loads(state)["meta"]["actor"] == "支部书记"


def test_a_households_personal_fields_are_sealed_and_erasable() -> None:
    keys = MemorySubjectKeys()
    vault = Vault(keys)
    household = uuid4()
    event = HouseholdRegistered(
        address="长安街9号",
        area="三巷",
        head_name="赵大娘",
        phone="13912345678",
        tags=("disabled",),
    )
    topic, state = encode(event, a_meta(), household, vault)
    for personal in ("长安街9号", "赵大娘", "13912345678", "disabled"):
        assert personal.encode() not in state
    assert "三巷".encode() in state  # the area is statistics, not personal
    envelope = Envelope.from_stored(
        position=1, stream_id=household, stream_version=1, topic=topic, state=state, vault=vault
    )
    assert "13912345678" not in envelope.to_json().decode()  # what the broker carries
    assert decode(topic, state, vault).event == event

    keys.destroy(household)
    erased = decode(topic, state, vault).event
    assert isinstance(erased, HouseholdRegistered)
    assert (erased.address, erased.head_name, erased.phone, erased.tags) == (
        ERASED_TEXT,
        ERASED_TEXT,
        None,
        (),
    )
    assert erased.area == "三巷"
    with pytest.raises(SealingError):
        encode(event, a_meta(), household, vault)  # no new key for an erased household
    # Keys that were never there are not an erasure: the event cannot be read.
    with pytest.raises(UndecodableEvent):
        decode(topic, state, Vault(MemorySubjectKeys()))


@pytest.mark.parametrize("encrypted", [False, True])
def test_stored_subject_keys_are_made_once_destroyed_for_good_and_never_invented(
    tmp_path: Path, encrypted: bool
) -> None:
    engine = made_store(tmp_path)
    cipher = store_cipher(new_cipher_key()) if encrypted else None
    keys = StoredSubjectKeys(engine, cipher)
    elsewhere = StoredSubjectKeys(engine, cipher, refresh_seconds=0.0)  # another process
    subject, stranger = uuid4(), uuid4()
    key = keys.key_for(subject)
    assert keys.key_for(subject) == elsewhere.key_of(subject) == key
    with engine.connect() as conn:
        stored = conn.execute(select(subject_keys.c.key)).scalar_one()
    assert (stored == key) is not encrypted  # wrapped by the store cipher when there is one
    with pytest.raises(MissingKey):
        keys.key_of(stranger)

    keys.destroy(subject)
    assert keys.key_of(subject) is None  # at once here
    assert elsewhere.key_of(subject) is None  # there, once its memory of the key expires
    with pytest.raises(SealingError):
        elsewhere.key_for(subject)
    if encrypted:
        keys.key_for(stranger)
        with pytest.raises(SealingError, match="does not unwrap"):
            StoredSubjectKeys(engine, store_cipher(new_cipher_key())).key_of(stranger)


def test_a_batch_reads_its_keys_in_one_query(tmp_path: Path) -> None:
    engine = made_store(tmp_path)
    writer = Vault(StoredSubjectKeys(engine, None))
    sealed = [
        writer.seal_fields("HouseholdRegistered", uuid4(), household_data(number))
        for number in range(1200)
    ]
    reader = Vault(StoredSubjectKeys(engine, None))
    queries: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    reader.prefetch([*sealed, {"sealed": {"subject": "not a uuid"}}, {"plain": 1}])
    opened = [reader.open_fields(data) for data in sealed]
    assert len(queries) == 3  # 500 keys a query
    assert [data["head_name"] for data in opened] == [f"住户{n}" for n in range(1200)]


def household_data(number: int) -> dict[str, object]:
    return {
        "address": f"{number}号",
        "area": "一巷",
        "head_name": f"住户{number}",
        "phone": None,
        "tags": [],
    }


def a_stored_visit(purpose: str, vault: Vault) -> tuple[str, bytes]:
    visit = VisitRecorded(
        member_id=uuid4(), household_id=uuid4(), visited_on=date(2009, 11, 2), purpose=purpose
    )
    return encode(visit, a_meta(), uuid4(), vault)


def test_an_encrypted_state_needs_its_key() -> None:
    topic, state = a_stored_visit("送温暖", ENCRYPTED)
    assert "送温暖".encode() not in state and "支部书记".encode() not in state
    for wrong in (PLAIN, Vault(MemorySubjectKeys(), store_cipher(new_cipher_key()))):
        with pytest.raises(UndecodableEvent):
            decode(topic, state, wrong)
    tampered = state[:-1] + bytes([state[-1] ^ 1])
    with pytest.raises(UndecodableEvent):
        decode(topic, tampered, ENCRYPTED)
    # A store encrypted from some day on still reads what was written before.
    old_topic, old_state = a_stored_visit("走访", PLAIN)
    assert decode(old_topic, old_state, ENCRYPTED).meta.actor == "支部书记"


@pytest.mark.parametrize("key", ["abc", "not base64!", "AAAA", "A" * 44])
def test_a_malformed_cipher_key_stops_the_start(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIAISON_CIPHER_KEY", key)
    with pytest.raises(SettingsError, match="LIAISON_CIPHER_KEY"):
        Settings.from_env()
    monkeypatch.delenv("LIAISON_CIPHER_KEY")
    secret = tmp_path / "cipher-key"
    secret.write_text(new_cipher_key() + "\n")
    monkeypatch.setenv("LIAISON_CIPHER_KEY_FILE", str(secret))
    settings = Settings.from_env()
    assert settings.cipher_key == secret.read_text().strip()


def test_unreadable_events_stay_in_the_position_chain() -> None:
    good_topic, good_state = encode(
        HouseholdRegistered(address="a", area="b", head_name="c"), a_meta(), uuid4(), PLAIN
    )
    stream = uuid4()
    notifications = [
        Notification(
            id=3, originator_id=stream, originator_version=1, topic="FromTheFuture", state=b"{}"
        ),
        Notification(
            id=5, originator_id=stream, originator_version=2, topic=good_topic, state=b"not json"
        ),
        Notification(
            id=9, originator_id=uuid4(), originator_version=1, topic=good_topic, state=good_state
        ),
    ]
    first, second, third = envelopes_from(notifications, previous_position=1, vault=PLAIN)
    assert isinstance(first, Undecodable) and "FromTheFuture" in first.reason
    assert isinstance(second, Undecodable) and second.previous_position == 3
    assert isinstance(third, Envelope) and third.previous_position == 5


def test_event_names_are_past_tense_contract_names() -> None:
    for name, cls in EVENT_TYPES.items():
        assert name == cls.TYPE
        # Past tense, irregular or not.
        assert name.endswith(("ed", "Cast", "Left", "Held", "Set", "Sent")), name


def test_the_broker_topology_knows_every_projector() -> None:
    assert tuple(projector.name for projector in ALL_PROJECTORS) == PROJECTIONS


def test_an_enrolment_of_version_1_reads_with_no_enrolment_date() -> None:
    """Version 1 recorded no enrolment date: such a member counts from the start."""
    stored = {
        "v": 1,
        "data": {
            "group_id": str(uuid4()),
            "name": "赵大娘",
            "category": "retired",
            "status": "full",
            "holds_office": False,
        },
        "meta": {
            "branch_id": str(uuid4()),
            "actor": "legacy",
            "occurred_at": "2009-11-29T00:00:00Z",
            "correlation_id": str(uuid4()),
            "causation_id": str(uuid4()),
        },
    }
    event = decode("MemberEnrolled", json.dumps(stored).encode(), PLAIN).event
    assert isinstance(event, MemberEnrolled)
    assert (event.name, event.enrolled_on) == ("赵大娘", None)
