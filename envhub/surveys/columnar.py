"""A first pass over a UTF-8 CSV upload with Arrow's streaming CSV reader, which says whether
every row of the file is free of issues — and then how many rows it has — without the cells
ever becoming Python objects one by one.

Why: the `csv` module makes a Python string of every cell, and the checks of `batches.py` cost
about as much again, so validation stayed near 0.43 of the speed of reading the file
(docs/benchmarks.md). Arrow reads each column dictionary-encoded (every cell read as text: our
own rules type them), so each distinct cell of a block is checked once, by the same cell
checks and caches as the row path; the checks of several fields (key, references, unit,
point, below detection) look at the block's distinct combinations of typed values, numbered
per column (`_Column.ids`).

It is all or nothing: `rows_if_clean` answers the number of rows only when the file is clean
and Arrow read it as the `csv` module does (header on the first record, same header cells,
every record as long as the header, no cell past the `csv` module's field limit, no more rows
than allowed); anything else — an issue, a file Arrow reads otherwise or refuses — answers
None, and the file is checked from its start by the row and batch path, which writes the
report. A clean file's report is counts only, so the report is the same either way.

Pure module (no Django).
"""

from __future__ import annotations

import random

from envhub.surveys.batches import CELL_CACHE, FORMULA, MISSING, UNSEEN
from envhub.surveys.cells import CellError

BLOCK_BYTES = 1 << 20
# The cells of one column numbered as typed values: a product of numberings past this no
# longer fits an int64, so the combination is not checked here (the file goes the other way).
_LIMIT = 1 << 62


class _NotClean(Exception):
    """Something to report, or a file Arrow does not read as the `csv` module does."""


class _Column:
    """One column of the file: its typed values numbered (0 is "empty"), the number of each
    and a random 64-bit word for each number (the key digests)."""

    def __init__(self, slot, name, check, required, seen):
        self.slot, self.name, self.check, self.required, self.seen = (
            slot, name, check, required, seen)
        self.ids: dict = {None: 0}
        self.values: list = [None]
        self.words: list = [0]

    def number(self, value) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
            self.words.append(random.getrandbits(63))
        return found


def rows_if_clean(stream, *, header: list, delimiter: str, plan, see, keys, foreign_keys,
                  codes, units, points, detection, max_rows: int,
                  field_limit: int) -> int | None:
    """The number of data rows of the CSV `stream` when every row is clean, else None (see
    the module). `plan`, `keys`, `foreign_keys`, `units`, `points` and `detection` are
    `validation._check_rows`' own; the caches of cells and verdicts are shared, the key
    digests of the row path are not touched."""
    if not any(required for *_head, required, _label, _seen in plan):
        return None  # a blank row would count here: the row path leaves blank rows out
    try:
        return _Pass(header, plan, see, keys, foreign_keys, codes, units, points, detection,
                     max_rows, field_limit).run(stream, delimiter)
    except _NotClean:
        return None


class _Pass:
    def __init__(self, header, plan, see, keys, foreign_keys, codes, units, points, detection,
                 max_rows, field_limit):
        self.header, self.see, self.codes = header, see, codes
        self.columns = {index: _Column(slot, name, check, required, seen)
                        for index, slot, name, check, required, _label, seen in plan}
        self.by_slot = {column.slot: column for column in self.columns.values()}
        self.keys, self.foreign_keys = keys, foreign_keys
        self.units, self.points, self.detection = units, points, detection
        self.max_rows, self.field_limit = max_rows, field_limit
        self.digests: list = []

    def run(self, stream, delimiter: str) -> int:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        width = len(self.header)
        types = {f"f{index}": pa.dictionary(pa.int32(), pa.string())
                 if index in self.columns else pa.string() for index in range(width)}
        stream.seek(0)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES,
                                               autogenerate_column_names=True),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"',
                                                  double_quote=True, escape_char=False,
                                                  newlines_in_values=True,
                                                  ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(column_types=types,
                                                     strings_can_be_null=False))
            if len(reader.schema) != width:
                raise _NotClean()
            rows = 0
            first = True
            for batch in reader:
                if first:
                    self._header(batch)
                    batch = batch.slice(1)
                    first = False
                rows += batch.num_rows
                if rows > self.max_rows:
                    raise _NotClean()
                if batch.num_rows:
                    self._batch(batch)
        except (pa.ArrowException, UnicodeDecodeError, OSError, ValueError):
            raise _NotClean() from None
        finally:
            stream.seek(0)
        if first:
            raise _NotClean()
        self._unique()
        return rows

    def _header(self, batch) -> None:
        """The first record Arrow read is the header the `csv` module read."""
        if not batch.num_rows:
            raise _NotClean()
        for index, cell in enumerate(self.header):
            column = batch.column(index)
            read = column[0].as_py()
            if read != cell:
                raise _NotClean()

    def _batch(self, batch) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        ids: dict[int, object] = {}  # slot → the rows' value numbers (an int64 array)
        for index in range(len(self.header)):
            array = batch.column(index)
            column = self.columns.get(index)
            if column is None:  # a column no field reads: only its cells' length matters
                longest = pc.max(pc.utf8_length(array)).as_py()
                if longest is not None and longest >= self.field_limit:
                    raise _NotClean()
                continue
            indices = array.indices
            dictionary = array.dictionary.to_pylist()
            numbers = [0] * len(dictionary)
            for position in pc.unique(indices).to_pylist():
                numbers[position] = column.number(self._typed(column, dictionary[position]))
            ids[column.slot] = pc.take(pa.array(numbers, pa.int64()), indices)
        size = batch.num_rows
        for slots, _name, _seen in self.keys:
            self._digest(slots, ids, size)
        for fk, slots, needed, verdicts in self.foreign_keys:
            self._references(fk, slots, needed, verdicts, ids, size)
        if self.units is not None:
            for medium, parameter, unit in self._combinations(self.units.slots, ids, size):
                if unit is not None and self.units.found((medium, parameter, unit)) is not None:
                    raise _NotClean()
        if self.points is not None:
            for point in self._combinations(self.points.slots, ids, size):
                if None not in point and self.points.found(point) is not None:
                    raise _NotClean()
        if self.detection is not None:
            empties = [pc.equal(ids[slot], 0) if slot in ids else pa.scalar(True)
                       for slot in self.detection.slots]
            combined = pc.add(pc.add(pc.multiply(pc.cast(empties[0], pa.int8()), 4),
                                     pc.multiply(pc.cast(empties[1], pa.int8()), 2)),
                              pc.cast(empties[2], pa.int8()))
            for bits in pc.unique(combined).to_pylist():
                if self.detection.problem(bool(bits & 4), bool(bits & 2), bool(bits & 1)):
                    raise _NotClean()

    def _typed(self, column: _Column, cell: str):
        """The cell's typed value (None when empty and allowed), as the row path types it."""
        if len(cell) >= self.field_limit:
            raise _NotClean()
        value = column.seen.get(cell, UNSEEN)
        if value is UNSEEN:
            value = self.see(cell, column.check)
            if len(column.seen) < CELL_CACHE:
                column.seen[cell] = value
        if value.__class__ is CellError or value is FORMULA:
            raise _NotClean()
        if value is MISSING:
            if column.required:
                raise _NotClean()
            return None
        return value

    def _combined(self, slots, ids, size):
        """(each row's combination of value numbers as one int64, the radices), the slots
        absent from the file left out."""
        import pyarrow as pa
        import pyarrow.compute as pc

        present = [slot for slot in slots if slot in ids]
        radices = [len(self.by_slot[slot].values) for slot in present]
        product = 1
        for radix in radices:
            product *= radix
        if product >= _LIMIT:
            raise _NotClean()
        combined = pa.array([0] * size, pa.int64()) if not present else ids[present[0]]
        for slot, radix in zip(present[1:], radices[1:], strict=True):
            combined = pc.add(pc.multiply(combined, radix), ids[slot])
        return present, radices, combined

    def _decode(self, slots, present, radices, number) -> tuple:
        found = {}
        for slot, radix in zip(reversed(present), reversed(radices), strict=True):
            number, part = divmod(number, radix)
            found[slot] = self.by_slot[slot].values[part]
        return tuple(found.get(slot) for slot in slots)

    def _combinations(self, slots, ids, size):
        """The distinct combinations of typed values the rows hold in `slots`."""
        import pyarrow.compute as pc

        present, radices, combined = self._combined(slots, ids, size)
        return [self._decode(slots, present, radices, number)
                for number in pc.unique(combined).to_pylist()]

    def _references(self, fk, slots, needed, verdicts, ids, size) -> None:
        """Every row's key is in the registry, or is new with what a new one needs filled."""
        import pyarrow as pa
        import pyarrow.compute as pc

        present, radices, combined = self._combined(slots, ids, size)
        unknown = []
        for number in pc.unique(combined).to_pylist():
            key = self._decode(slots, present, radices, number)
            known = verdicts.get(key)
            if known is None:
                known = None in key or self.codes.has(fk.resource, fk.reference_fields, key)
                if len(verdicts) < CELL_CACHE:
                    verdicts[key] = known
            if not known:
                unknown.append(number)
        if not unknown:
            return
        if not needed or any(slot not in ids for slot in needed):
            raise _NotClean()
        rows = pc.is_in(combined, value_set=pa.array(unknown, pa.int64()))
        for slot in needed:
            if pc.any(pc.and_(rows, pc.equal(ids[slot], 0))).as_py():
                raise _NotClean()

    def _digest(self, slots, ids, size) -> None:
        """Each row's key as a 64-bit digest of its value numbers: rows with the same typed
        key have the same digest (another pair sharing one is checked the other way)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        digest = pa.array([0] * size, pa.uint64())
        for slot in slots:
            column = self.by_slot.get(slot)
            if column is None:
                continue  # an absent column: empty in every row
            words = pa.array(column.words, pa.uint64())
            digest = pc.add(pc.multiply(digest, pa.scalar(1_000_003, pa.uint64())),
                            pc.take(words, ids[slot]))
        self.digests.append(digest)

    def _unique(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        for number in range(len(self.keys)):
            digests = pa.chunked_array(self.digests[number::len(self.keys)], pa.uint64())
            if pc.count_distinct(digests).as_py() != len(digests):
                raise _NotClean()
