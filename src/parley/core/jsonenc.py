"""orjson behind Django's JSONField: stream payloads are written on the hot send path."""

import json

import orjson


class FastJSONEncoder(json.JSONEncoder):
    """A JSONEncoder whose encode() is orjson's: same output, several times faster."""

    def encode(self, o) -> str:
        return orjson.dumps(o).decode()
