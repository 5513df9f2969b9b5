"""The API object, with the one piece of the OpenAPI document ninja cannot infer.

`POST /api/v1/frames` reads its raw body through the frame dispatcher (which validates
it, so errors match the socket's), so ninja sees no body parameter. Its request body is
documented here instead: the union of every registered frame's input schema,
discriminated by `type`, under the component `ClientFrame`.
"""

from typing import Annotated, Union

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE
from pydantic import Field, TypeAdapter

from parley.core.frames import frames

CLIENT_FRAME = "ClientFrame"
CLIENT_FRAME_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=CLIENT_FRAME)}}},
}


def client_frame_schema() -> tuple[dict, dict]:
    """Return the discriminated union of the frame input schemas and the definitions it refers to."""
    schemas = [f.schema for f in frames.all()]
    union = Annotated[Union[tuple(schemas)], Field(discriminator="type")] if len(schemas) > 1 else schemas[0]
    schema = TypeAdapter(union).json_schema(ref_template=REF_TEMPLATE)
    return schema, schema.pop("$defs", {})


class ParleyAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        union, defs = client_frame_schema()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in {**defs, CLIENT_FRAME: union}.items():
            if name in components and components[name] != schema:
                raise ValueError(f"The OpenAPI component {name!r} is defined twice; rename one of the models.")
            components[name] = schema
        return document
