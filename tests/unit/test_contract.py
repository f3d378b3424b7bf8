"""The event contract: what is stored, published and read back must be the same
facts, Chinese text included, and unreadable events must be recognisable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import uuid4

from eventsourcing.persistence import Notification
from hypothesis import given
from hypothesis import strategies as st

from services.projection.projectors import ALL_PROJECTORS
from shared.contract.codec import EventMeta, decode, encode
from shared.contract.envelope import Envelope, Undecodable, envelopes_from
from shared.contract.events import EVENT_TYPES, HouseholdRegistered, VisitRecorded
from shared.messaging import PROJECTIONS

text = st.text(min_size=1, max_size=40)

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


@given(event=visits | households, metadata=meta)
def test_encoding_round_trips(
    event: VisitRecorded | HouseholdRegistered, metadata: EventMeta
) -> None:
    topic, state = encode(event, metadata)
    assert topic == type(event).__name__
    decoded = decode(topic, state)
    assert decoded.event == event
    assert decoded.meta == metadata


@given(event=visits | households, metadata=meta)
def test_envelopes_round_trip_through_json(
    event: VisitRecorded | HouseholdRegistered, metadata: EventMeta
) -> None:
    topic, state = encode(event, metadata)
    envelope = Envelope.from_stored(
        position=7,
        stream_id=uuid4(),
        stream_version=1,
        topic=topic,
        state=state,
        previous_position=5,
    )
    again = Envelope.from_json(envelope.to_json())
    assert again == envelope
    assert again.event() == event
    assert again.actor == metadata.actor


def test_chinese_is_stored_as_utf8_not_escapes() -> None:
    event = HouseholdRegistered(address="同江市长安社区3号楼", area="长安巷", head_name="赵大娘")
    _, state = encode(
        event,
        EventMeta(
            branch_id=uuid4(),
            actor="支部书记",
            occurred_at=datetime(2009, 11, 29, tzinfo=UTC),
            correlation_id=uuid4(),
            causation_id=uuid4(),
        ),
    )
    assert "同江市长安社区3号楼".encode() in state
    assert b"\\u" not in state
    assert json.loads(state)["meta"]["actor"] == "支部书记"


def test_unreadable_events_stay_in_the_position_chain() -> None:
    good_topic, good_state = encode(
        HouseholdRegistered(address="a", area="b", head_name="c"),
        EventMeta(
            branch_id=uuid4(),
            actor="x",
            occurred_at=datetime(2009, 1, 1, tzinfo=UTC),
            correlation_id=uuid4(),
            causation_id=uuid4(),
        ),
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
    first, second, third = envelopes_from(notifications, previous_position=1)
    assert isinstance(first, Undecodable) and "FromTheFuture" in first.reason
    assert isinstance(second, Undecodable) and second.previous_position == 3
    assert isinstance(third, Envelope) and third.previous_position == 5


def test_event_names_are_past_tense_contract_names() -> None:
    for name, cls in EVENT_TYPES.items():
        assert name == cls.TYPE
        assert name.endswith(("ed", "Cast", "Left")), name  # past tense, irregular or not


def test_the_broker_topology_knows_every_projector() -> None:
    assert tuple(projector.name for projector in ALL_PROJECTORS) == PROJECTIONS
