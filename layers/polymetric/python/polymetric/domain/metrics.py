"""Metric metadata use cases and rules (seed: Metrics, Metric Attributes)."""

import fnmatch
import math
import re
from dataclasses import dataclass
from typing import Any

from polymetric import clock
from polymetric.domain.conflicts import retrying
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.metric import COMPOSITE, GAUGE, Metric, MetricPage
from polymetric.observability import logger
from polymetric.storage import metrics as store
from polymetric.storage import registry, samples, tiers, tokens

NAME_RE = re.compile(r"^[A-Za-z0-9.:\-_]{1,255}$")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
SUMMARIZE_FUNCTIONS = ("average", "sum", "count", "min", "max")
TYPES = (GAUGE, COMPOSITE)
TRUE = ("true", "1", "yes", "t")
FALSE = ("false", "0", "no", "f")


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE + FALSE:
        return value.lower() in TRUE
    raise InvalidInputError.param(name, "must be true or false")


def _number(name: str, value: Any) -> int | float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInputError.param(name, "must be a number")
    try:
        f = float(value) if isinstance(value, int | float) else float(str(value))
    except ValueError:
        raise InvalidInputError.param(name, "must be a number") from None
    if not math.isfinite(f):
        raise InvalidInputError.param(name, "must be a number")
    if isinstance(value, int):
        return value
    return int(f) if f.is_integer() else f


def _text(name: str, value: Any, limit: int = 255) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool) or len(str(value)) > limit:
        raise InvalidInputError.param(name, f"must be a string of at most {limit} characters")
    return str(value)


def _color(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not COLOR_RE.fullmatch(value):
        raise InvalidInputError.param(name, "must be a seven character hex color code such as #52D74C")
    return value


def _summarize(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if value not in SUMMARIZE_FUNCTIONS:
        raise InvalidInputError.param(name, f"must be one of {', '.join(SUMMARIZE_FUNCTIONS)}")
    return str(value)


_ATTRIBUTES = {
    "color": _color,
    "display_max": _number,
    "display_min": _number,
    "display_units_long": _text,
    "display_units_short": _text,
    "display_stacked": _bool,
    "summarize_function": _summarize,
    "aggregate": _bool,
    "gap_detection": _bool,
    "created_by_ua": _text,
}


def validate_attributes(attributes: Any) -> dict[str, Any]:
    """The metric attributes table of the seed; unknown attributes are refused, values coerced from form strings."""
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidInputError.param("attributes", "must be an object of attribute names to values")
    clean: dict[str, Any] = {}
    params: dict[str, list[str]] = {}
    for key, value in attributes.items():
        rule = _ATTRIBUTES.get(key)
        if rule is None:
            params.setdefault("attributes", []).append(f"{key} is not a metric attribute")
            continue
        try:
            clean[key] = rule(f"attributes.{key}", value)
        except InvalidInputError as exc:
            for p, msgs in exc.params.items():
                params.setdefault(p, []).extend(msgs)
    if params:
        raise InvalidInputError(params=params)
    return clean


def _period(value: Any) -> int | None:
    number = _number("period", value)
    if number is None:
        return None
    if not float(number).is_integer() or number <= 0:
        raise InvalidInputError.param("period", "must be a positive whole number of seconds")
    return int(number)


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise InvalidInputError.param("name", "metric names must be 1 to 255 characters of A-Za-z0-9.:-_")
    return name


def new_metric(name: str, props: dict[str, Any], *, user_agent: str | None = None) -> Metric:
    """A metric as first created by a POST of measurements or a PUT (properties validated)."""
    metric_type = props.get("type") or GAUGE
    if metric_type not in TYPES:
        raise InvalidInputError.param("type", "must be gauge or composite")
    attributes = validate_attributes(props.get("attributes"))
    if user_agent:
        attributes["created_by_ua"] = user_agent[:255]
    composite = _text("composite", props.get("composite"), limit=4096)
    if metric_type == COMPOSITE and not composite:
        raise InvalidInputError.param("composite", "is required when type is composite")
    if metric_type != COMPOSITE and composite:
        raise InvalidInputError.param("composite", "is only allowed when type is composite")
    if composite:
        check_composite(composite)
    return Metric(
        name=check_name(name),
        type=metric_type,
        display_name=_text("display_name", props.get("display_name")),
        description=_text("description", props.get("description"), limit=4096),
        period=_period(props.get("period")),
        attributes=attributes,
        composite=composite,
        created_at=clock.now_ms(),
    )


def _updated(current: Metric, props: dict[str, Any]) -> Metric:
    changes: dict[str, Any] = {}
    if "type" in props and props["type"] not in (None, current.type):
        raise InvalidInputError.param("type", f"cannot change the type of {current.type} metric {current.name}")
    if "display_name" in props:
        changes["display_name"] = _text("display_name", props["display_name"])
    if "description" in props:
        changes["description"] = _text("description", props["description"], limit=4096)
    if "period" in props:
        changes["period"] = _period(props["period"])
    if "attributes" in props:
        attributes = validate_attributes(props["attributes"])
        if "created_by_ua" in current.attributes:
            attributes["created_by_ua"] = current.attributes["created_by_ua"]
        changes["attributes"] = {**current.attributes, **attributes}
    if "composite" in props:
        if current.type != COMPOSITE:
            raise InvalidInputError.param("composite", "is only allowed when type is composite")
        changes["composite"] = _text("composite", props["composite"], limit=4096) or current.composite
        check_composite(changes["composite"])
    return current.with_changes(**changes)


def check_composite(text: str) -> None:
    """Parse and type-check a composite definition: a 400 on ``composite`` naming the error's position."""
    # The grammar loads with the first composite: every ingest path imports this module, few define one.
    from polymetric.query.composite import functions, parser

    functions.check(parser.parse(text, param="composite"), "composite")


def _check_not_nested(tenant: str, metric: Metric) -> None:
    """A persisted composite may not read a composite metric, itself included (``*`` patterns skip composites)."""
    if metric.type != COMPOSITE or not metric.composite:
        return
    from polymetric.query.composite import functions, parser

    for ref in functions.referenced_metrics(parser.parse(metric.composite, param="composite")):
        if "*" in ref:
            continue
        target = store.get(tenant, ref.lower())
        if ref.lower() == metric.key or (target is not None and target.type == COMPOSITE):
            raise InvalidInputError.param(
                "composite", f"series({ref!r}) names a composite metric: composite metrics cannot be nested"
            )


@dataclass(frozen=True)
class PutResult:
    metric: Metric
    created: bool


@retrying  # a concurrent PUT of the same metric: read it again and apply this one after it
def put(tenant: str, name: str, props: dict[str, Any], *, user_agent: str | None = None) -> PutResult:
    """Create the metric (201) or update its properties (204). Attributes may come at the top level
    (``display_min=0``), as a bulk PUT takes them."""
    check_name(name)
    props = _lifted(props)
    attributes = _folded_attributes(props)
    props = {k: v for k, v in props.items() if k not in _ATTRIBUTES}
    if attributes:
        props["attributes"] = attributes
    current = store.get(tenant, name.lower())
    if current is None:
        metric = new_metric(name, props, user_agent=user_agent)
        _check_not_nested(tenant, metric)
        if store.create(tenant, metric):
            return PutResult(metric, created=True)
        current = store.get(tenant, name.lower())
        if current is None:
            raise NotFoundError(f"metric {name} vanished while it was being created")
    metric = _updated(current, props)
    _check_not_nested(tenant, metric)
    store.replace(tenant, metric)
    return PutResult(metric, created=False)


def get(tenant: str, name: str) -> Metric:
    metric = store.get(tenant, name.lower())
    if metric is None:
        raise NotFoundError(f"Metric {name} not found")
    return metric


def _matches(name: str, pattern: str) -> bool:
    if "*" in pattern:
        return fnmatch.fnmatchcase(name.lower(), pattern.lower())
    return pattern.lower() in name.lower()


# A listing reads the organization's metrics to filter and count them: past this many (about 10 MB of items,
# a second or two of reads) it would grow toward API Gateway's 29 s, so it is refused instead.
LIST_LIMIT = 50_000


def list_page(tenant: str, *, name: str | None, offset: int, length: int, descending: bool) -> MetricPage:
    everything = store.list_all(tenant, limit=LIST_LIMIT + 1)
    if len(everything) > LIST_LIMIT:
        raise InvalidInputError(
            request=[f"This organization has more than {LIST_LIMIT} metrics: too many to list in one request."]
        )
    found = [m for m in everything if not name or _matches(m.name, name)]
    if descending:
        found.reverse()
    page = found[offset : offset + length]
    return MetricPage(page, found=len(found), total=len(everything), offset=offset, length=len(page))


def delete(tenant: str, names: list[str]) -> int:
    """Delete metrics (names or one ``*`` pattern) with all their data. Unknown names are skipped."""
    wanted: set[str] = set()
    patterns = [n for n in names if "*" in n]
    if patterns:
        everything = store.list_all(tenant)
        wanted |= {m.key for m in everything for p in patterns if fnmatch.fnmatchcase(m.key, p.lower())}
    wanted |= {n.lower() for n in names if "*" not in n}
    found = store.get_many(tenant, wanted)
    deleted_series = 0
    for key in sorted(wanted):
        # Metadata last: while data is being removed the metric stays listed, so a failed delete can be retried.
        metric = found.get(key)
        removed = samples.delete_metric(tenant, key)
        series = registry.load(tenant, key)
        if metric is not None:
            removed += tiers.delete_metric(tenant, key, metric.created_at)
        deleted_series += registry.delete(tenant, key, series)
        store.delete(tenant, key)
        logger.info("metric deleted", metric=key, sample_items=removed, series=len(series))
    tokens.add_series(tenant, -deleted_series)
    return len(wanted)


def delete_one(tenant: str, name: str) -> None:
    if store.get(tenant, name.lower()) is None:
        raise NotFoundError(f"Metric {name} not found")
    delete(tenant, [name])


BULK_PROPERTIES = ("display_name", "description", "period")


def bulk_changes(props: dict[str, Any]) -> dict[str, Any]:
    """The changes of a PUT /v1/metrics, validated: properties, and attributes given at the top level
    (``display_min=0``, as the seed's form example sends them) or under ``attributes``."""
    props = _lifted(props)
    unknown = sorted(set(props) - {"names", "attributes", *BULK_PROPERTIES, *_ATTRIBUTES})
    if unknown:
        raise InvalidInputError(params={k: ["is not a property a set of metrics can take"] for k in unknown})
    changes = {k: props[k] for k in BULK_PROPERTIES if k in props}
    attributes = _folded_attributes(props)
    if attributes:
        changes["attributes"] = attributes
    if not changes:
        raise InvalidInputError(request=["Nothing to update: give properties or attributes."])
    _updated(Metric(name="validation"), changes)  # the same rules as a single update, checked once up front
    return changes


# The seed's Python examples set these inside ``attributes`` (``attrs = metric.attributes``,
# ``attrs['display_name'] = ...``, ``update_metric(name, attributes=attrs)``): they are the properties.
_PROPERTIES_IN_ATTRIBUTES = ("display_name", "description", "period")


def _lifted(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` with properties found inside ``attributes`` moved beside them (a top-level one wins)."""
    attributes = props.get("attributes")
    if not isinstance(attributes, dict) or not any(k in attributes for k in _PROPERTIES_IN_ATTRIBUTES):
        return props
    lifted = {k: attributes[k] for k in _PROPERTIES_IN_ATTRIBUTES if k in attributes}
    rest = {k: v for k, v in attributes.items() if k not in lifted}
    return {**lifted, **props, "attributes": rest}


def _folded_attributes(props: dict[str, Any]) -> dict[str, Any]:
    """``attributes`` and the attributes given at the top level (those win), not yet validated."""
    attributes = props.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise InvalidInputError.param("attributes", "must be an object of attribute names to values")
    return {**attributes, **{k: v for k, v in props.items() if k in _ATTRIBUTES}}


@retrying
def update_existing(tenant: str, key: str, changes: dict[str, Any]) -> bool:
    """Apply bulk changes to one metric; False when it does not exist."""
    current = store.get(tenant, key)
    if current is None:
        return False
    store.replace(tenant, _updated(current, changes))
    return True
