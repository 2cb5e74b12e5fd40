"""Read Parquet with pyarrow in row batches, loading only the mapped columns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vibeflow.data.detect import SourceInfo
from vibeflow.data.sources import BATCH_ROWS, BadRow, Head, RawBatch
from vibeflow.errors import DataFormatError


class ParquetSource:
    unit = "rows"
    row_label = "row"

    def __init__(self, info: SourceInfo) -> None:
        self.info = info
        try:
            self.file = pq.ParquetFile(info.path)
        except (pa.ArrowException, OSError) as error:
            raise DataFormatError(
                f"The Parquet file cannot be read: {error}",
                fix="The file is damaged or not Parquet; export it again.",
                file=str(info.path),
            ) from None
        self.total = self.file.metadata.num_rows
        self.names = list(self.file.schema_arrow.names)

    def head(self, n: int) -> Head:
        for batch in self._iter(self.names, batch_size=max(n, 1)):
            return Head(batch.to_pylist()[:n])
        return Head([])

    def batches(
        self, columns: Sequence[str], bad_rows: list[BadRow], slow: bool = False
    ) -> Iterator[RawBatch]:
        wanted = [c for c in columns if c in self.names] or self.names[:1]
        start = 1
        for batch in self._iter(wanted, batch_size=BATCH_ROWS):
            rows = np.arange(start, start + batch.num_rows, dtype=np.int64)
            start += batch.num_rows
            yield RawBatch(rows, table=pa.Table.from_batches([batch]), done=start - 1)

    def _iter(self, columns: Sequence[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        try:
            yield from self.file.iter_batches(batch_size=batch_size, columns=list(columns))
        except (pa.ArrowException, OSError) as error:
            raise DataFormatError(
                f"The Parquet file cannot be read: {error}",
                fix="The file is damaged or truncated; export it again.",
                file=str(self.info.path),
            ) from None
