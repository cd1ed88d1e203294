"""P1–P3: the SSE parser (core/sse.py) under Hypothesis, against a reference parser written
here straight from the WHATWG text, and on the web-platform-tests `eventsource/format-*`
vectors."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freechat.core.errors import ResponseTooLarge
from freechat.core.sse import SSEComment, SSEEvent, SSEParser

Parsed = tuple[str, str, str]  # (type, data, last event id)


# --- a reference parser: whole input at once, one spec step per line ----------------------
@dataclass
class Reference:
    events: list[Parsed]
    retry: int | None


def reference_parse(raw: bytes) -> Reference:
    """html.spec.whatwg.org §9.2.5-6, literally: decode, strip one BOM, split lines, and
    throw away the last (unterminated) line together with any undispatched event."""
    text = raw.decode("utf-8", "replace")
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)[:-1]
    events: list[Parsed] = []
    data, event_type, last_id, retry = "", "", "", None
    for line in lines:
        if line == "":
            if data:
                events.append((event_type or "message", data.removesuffix("\n"), last_id))
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if ":" in line and value.startswith(" "):
            value = value[1:]
        if name == "event":
            event_type = value
        elif name == "data":
            data += value + "\n"
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    return Reference(events, retry)


def parse_chunks(chunks: list[bytes], **caps: int) -> tuple[list[Parsed], SSEParser]:
    parser = SSEParser(**caps)
    events: list[Parsed] = []
    for chunk in chunks:
        for item in parser.feed(chunk):
            assert isinstance(item, SSEEvent | SSEComment)
            if isinstance(item, SSEEvent):
                assert isinstance(item.data, str) and isinstance(item.event, str)
                events.append((item.event, item.data, item.id))
    assert parser.close() == []
    return events, parser


def split_at(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    bounds = [0, *points, len(raw)]
    return [raw[a:b] for a, b in itertools.pairwise(bounds)]


cuts = st.lists(st.integers(min_value=0, max_value=10**6), max_size=40)


# --- P1: round trip --------------------------------------------------------------------------
# Any text without CR/LF, including U+2028/U+2029, NEL, FF, NUL, emoji and astral characters.
line_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30
)
event_strategy = st.tuples(
    st.one_of(st.just(""), line_text.filter(lambda t: t and t.strip(" ") == t)),  # type
    st.lists(line_text, min_size=1, max_size=4),  # data lines
    st.one_of(st.none(), line_text.filter(lambda t: "\0" not in t)),  # id
)
endings = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def sse_streams(draw) -> tuple[bytes, list[Parsed]]:
    lines: list[str] = []
    expected: list[Parsed] = []
    last_id = ""
    for event_type, data_lines, event_id in draw(st.lists(event_strategy, max_size=6)):
        if draw(st.booleans()):
            lines.append(":" + draw(line_text))  # a comment (keep-alive)
        if event_type:
            lines.append(f"event: {event_type}")
        if event_id is not None:
            lines.append(f"id: {event_id}")
            last_id = event_id
        lines += [f"data: {line}" for line in data_lines]
        lines.append("")
        expected.append((event_type or "message", "\n".join(data_lines), last_id))
    out, previous = [], ""
    for line in lines:
        ending = draw(endings)
        if previous == "\r" and line == "" and ending == "\n":
            ending = "\r\n"  # CR then a bare LF would be one CRLF, merging two lines
        out.append(line + ending)
        previous = ending
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + "".join(out)).encode("utf-8"), expected


@settings(max_examples=300, deadline=None)
@given(stream=sse_streams(), cut=cuts)
def test_P1_round_trip_any_endings_any_splits(stream, cut):
    raw, expected = stream
    events, _ = parse_chunks(split_at(raw, cut))
    assert events == expected


# --- P2: arbitrary bytes -----------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=3000), cut=cuts)
def test_P2_arbitrary_bytes_never_raise(raw, cut):
    parse_chunks(split_at(raw, cut))


sse_ish = st.lists(st.sampled_from(
    [b"data", b"data:", b"data: ", b"event:", b"id:", b"retry:", b":", b" ", b"\r", b"\n",
     b"\r\n", b"x", b"\xff", b"\xe6\x97", b"y" * 50]), max_size=200).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(st.binary(max_size=3000), sse_ish), cut=cuts)
def test_P2_buffered_memory_stays_under_the_caps(raw, cut):
    max_line, max_event = 64, 256
    parser = SSEParser(max_line=max_line, max_event=max_event)
    try:
        for chunk in split_at(raw, cut):
            parser.feed(chunk)
            assert parser.buffered <= max_line + max_event
    except ResponseTooLarge as error:
        assert "response too large" in error.message


# --- P3: differential, and the wpt vectors ----------------------------------------------
tokens = st.sampled_from(
    ["data", "data:", "data: ", "event:", "event: x", "id:", "id: 7", "retry:", "retry: 15",
     "retry:1x", ":", ": ping", " ", "\r", "\n", "\r\n", "x", "é", "\ufeff", "\0", "😀",
     "\u2028", "\u0085", "Data:", "dat", "a:"])
random_streams = st.one_of(
    st.lists(tokens, max_size=80).map(lambda parts: "".join(parts).encode("utf-8")),
    st.lists(st.one_of(tokens.map(str.encode), st.binary(max_size=3)), max_size=80)
    .map(b"".join),
)


@settings(max_examples=500, deadline=None)
@given(raw=random_streams, cut=cuts)
def test_P3_matches_the_reference_parser(raw, cut):
    reference = reference_parse(raw)
    byte_by_byte = [raw[i:i + 1] for i in range(len(raw))]  # splits every CRLF and UTF-8 seq
    for chunks in (split_at(raw, cut), byte_by_byte):
        events, parser = parse_chunks(chunks)
        assert events == reference.events
        assert parser.retry == reference.retry


def wpt(message: str, newline: str = "\n\n") -> bytes:
    """The bytes resources/message.py serves: message + newline (default two LFs) + LF."""
    return (message + newline + "\n").encode("utf-8")


LONG = "x" * 2048
# web-platform-tests eventsource/format-*.any.js: (name, body, expected events, retry)
WPT_VECTORS = [
    ("format-bom", wpt("\ufeffdata:1\n\n\ufeffdata:2\n\ndata:3"),
     [("message", "1", ""), ("message", "3", "")], None),
    ("format-bom-2", wpt("\ufeff\ufeffdata:1\n\ndata:2\n\ndata:3"),
     [("message", "2", ""), ("message", "3", "")], None),
    ("format-comments",
     wpt(f"data:1\r:\0\n:\r\ndata:2\n:{LONG}\rdata:3\n:data:fail\r:{LONG}\ndata:4\n", ""),
     [("message", "1\n2\n3\n4", "")], None),
    ("format-data-before-final-empty-line",
     wpt("retry:1000\ndata:test1\n\nid:test\ndata:test2", ""),
     [("message", "test1", "")], 1000),
    ("format-field-data", wpt("data:\n\ndata\ndata\n\ndata:test"),
     [("message", "", ""), ("message", "\n", ""), ("message", "test", "")], None),
    ("format-field-event", wpt("event:test\ndata:x\n\ndata:x"),
     [("test", "x", ""), ("message", "x", "")], None),
    ("format-field-event-empty", wpt("event: \ndata:data"), [("message", "data", "")], None),
    ("format-field-parsing",
     wpt("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\r"
         "data:\r\n data:32\ndata:4\n", ""),
     [("message", "\0\n 2\n1\n3\n\n4", "")], None),
    ("format-field-retry", wpt("retry:02000\ndata:x"), [("message", "x", "")], 2000),
    ("format-field-retry-bogus", wpt("retry:2000\nretry:1000x\ndata:x"),
     [("message", "x", "")], 2000),
    ("format-field-unknown",
     wpt("data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test"),
     [("message", "test\n\ntest", "")], None),
    ("format-leading-space", wpt("data:\ttest\rdata: \ndata:test"),
     [("message", "\ttest\n\ntest", "")], None),
    ("format-newlines", wpt("data:test\r\ndata\ndata:test\r\n\r", ""),
     [("message", "test\n\ntest", "")], None),
    ("format-null-character", wpt("data:\0\n\n"), [("message", "\0", "")], None),
    ("format-utf-8", wpt("data:ok…"), [("message", "ok…", "")], None),
    # id rules from the spec text (the wpt id tests need a reconnecting server)
    ("field-id", wpt("id: …\ndata: hello\n\ndata: again"),
     [("message", "hello", "…"), ("message", "again", "…")], None),
    ("field-id-null", wpt("id: 1\ndata: a\n\nid: x\0y\ndata: b"),
     [("message", "a", "1"), ("message", "b", "1")], None),
]


@pytest.mark.parametrize(("name", "raw", "expected", "retry"), WPT_VECTORS,
                         ids=[v[0] for v in WPT_VECTORS])
def test_P3_wpt_format_vectors(name, raw, expected, retry):
    assert reference_parse(raw).events == expected  # the reference agrees with wpt
    for size in (len(raw), 1, 3, 7):  # whole, byte by byte, and odd splits
        events, parser = parse_chunks([raw[i:i + size] for i in range(0, len(raw), size)])
        assert events == expected, (name, size)
        assert parser.retry == retry
