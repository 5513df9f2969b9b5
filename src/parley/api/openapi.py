"""The API object, with the one piece of the OpenAPI document ninja cannot infer.

`POST /api/v1/frames` reads its raw body through the frame dispatcher (which validates
it, so errors match the socket's), so ninja sees no body parameter. Its request body is
documented here instead: the union of every registered frame's input schema,
discriminated by `type`, under the component `ClientFrame`.
"""

from typing import Annotated, Union

import functools

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.parser import Parser
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


class ObjectBodyParser(Parser):
    """Every body of this API is a JSON object. ninja's own parser hands any JSON value to the
    schema, and a schema whose fields all have defaults reads `[]` or `5` as "nothing given"
    (ninja schemas read attributes too); refuse them here, as 400 `bad_json`.

    A parameter of one value given several times (`?timeout=1&timeout=x`) reaches its schema
    as the list of them, which a number or a string refuses (422 `invalid`), instead of
    ninja's last value winning silently."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data

    def parse_querydict(self, data, list_fields, request):
        return {key: data.getlist(key) if key in list_fields or len(data.getlist(key)) > 1 else data[key]
                for key in data.keys()}


class ParleyAPI(NinjaAPI):
    """NinjaAPI whose URLs end with a catch-all: any other path under the API (an unknown
    endpoint, an id the path's converter refuses, such as `-1`) gets a JSON 404 in the one
    error shape, never Django's HTML page. `unknown_path(request)` builds it."""

    unknown_path = None
    method_not_allowed = None  # (request, allowed methods) -> the JSON 405

    def _get_urls(self):
        urls = [self._json_405(u) for u in super()._get_urls()]
        if self.unknown_path is not None:
            missing = csrf_exempt(self.unknown_path)
            # ninja's root view raises Http404 (an HTML page); keep its name (ninja reverses it).
            urls = [URLPattern(u.pattern, missing, u.default_args, u.name) if getattr(u, "name", None) == "api-root" else u
                    for u in urls]
            urls.append(re_path(r"^", missing, name="unknown-path"))
        return urls

    def _json_405(self, pattern):
        """django-ninja answers a wrong method with a plain-text 405; answer it in the error shape."""
        if self.method_not_allowed is None or not isinstance(pattern, URLPattern):
            return pattern
        view, convert = pattern.callback, self._convert_405
        if iscoroutinefunction(view):
            async def wrapped(request, *args, **kwargs):
                return convert(request, await view(request, *args, **kwargs))
            markcoroutinefunction(wrapped)
        else:
            def wrapped(request, *args, **kwargs):
                return convert(request, view(request, *args, **kwargs))
        functools.update_wrapper(wrapped, view)
        return URLPattern(pattern.pattern, wrapped, pattern.default_args, pattern.name)

    def _convert_405(self, request, response):
        if isinstance(response, HttpResponseNotAllowed):
            allowed = sorted(m.strip() for m in response["Allow"].split(","))
            new = self.method_not_allowed(request, allowed)
            new["Allow"] = response["Allow"]
            return new
        return response

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        union, defs = client_frame_schema()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in {**defs, CLIENT_FRAME: union}.items():
            if name in components and components[name] != schema:
                raise ValueError(f"The OpenAPI component {name!r} is defined twice; rename one of the models.")
            components[name] = schema
        return document
