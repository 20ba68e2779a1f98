"""Parquet feeds: ``-O articles.parquet`` (``FEED_EXPORTERS["parquet"]``, pyarrow).

The Arrow schema is derived from the record's JSON Schema
(``newscrawl/schema/article.schema.json``), so a column exists, with its type, even
when no record of a run has the field. Dates stay ISO 8601 strings: a timestamp
column would drop the publisher's UTC offset. Records are written in row groups of
``ROW_GROUP`` as they come; the file is complete (footer written) only when the feed
closes, so the feed exporter confirms its records to the emit ledger then, as for any
file that is not JSON lines (newscrawl.storage.feeds.CheckedFeedExporter.immediate).
"""

from __future__ import annotations

from typing import Any, BinaryIO

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

ROW_GROUP = 1000

_SCALARS = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_"}


def arrow_type(spec: dict[str, Any]) -> Any:
    """The Arrow type of one JSON Schema property (``null`` only makes it nullable).

    >>> str(arrow_type({"type": ["string", "null"]})), str(arrow_type(
    ...     {"type": "array", "items": {"type": "string"}}))
    ('string', 'list<item: string>')
    """
    import pyarrow as pa

    types = spec.get("type", "string")
    types = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
    kind = types[0] if len(types) == 1 else "string"  # a union: keep it as text
    if kind == "array":
        return pa.list_(arrow_type(spec.get("items", {})))
    if kind == "object":
        return pa.string()  # nested objects are not part of the record today; JSON text
    return getattr(pa, _SCALARS.get(kind, "string"))()


def arrow_schema(json_schema: dict[str, Any] | None = None) -> Any:
    """The Arrow schema of the article record, in the JSON Schema's field order."""
    import pyarrow as pa

    from newscrawl.items import article_schema

    schema = json_schema or article_schema()
    required = set(schema.get("required", ()))
    fields = []
    for name, spec in schema["properties"].items():
        types = spec.get("type", [])
        nullable = name not in required or "null" in ([types] if isinstance(types, str) else types)
        fields.append(pa.field(name, arrow_type(spec), nullable=nullable))
    return pa.schema(fields)


class ParquetItemExporter(BaseItemExporter):
    """Scrapy item exporter writing Parquet (snappy) with the article schema."""

    def __init__(self, file: BinaryIO, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.schema = arrow_schema()
        self.rows: list[dict[str, Any]] = []
        self.writer: Any = None

    def start_exporting(self) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(self.file, self.schema, compression="snappy")

    def export_item(self, item: Any) -> None:
        record = ItemAdapter(item).asdict()
        unknown = set(record) - set(self.schema.names)
        if unknown:  # the schema forbids them (additionalProperties: false): say so, loudly
            raise ValueError(f"fields not in the article schema: {sorted(unknown)}")
        self.rows.append(record)
        if len(self.rows) >= ROW_GROUP:
            self._flush()

    def finish_exporting(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()  # writes the footer: the file is readable from here on

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows and self.writer is not None:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
        self.rows = []
