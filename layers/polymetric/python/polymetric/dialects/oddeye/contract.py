"""What OddEye's /oddeye-barlus/put/tsdb takes and answers (seed: OddEye Api), for the OpenAPI document.

Its answers are barlus' text (``json;charset=UTF-8``, not always JSON): described, not given a schema.
"""

from typing import Required

from typing_extensions import TypedDict

from polymetric.dialects import contract
from polymetric.dialects.contract import FORM, Answer, Operation, Param


class FormIn(TypedDict, total=False):
    UUID: Required[str]
    data: Required[str]  # a JSON array of checks: [{metric, timestamp, value, type, reaction, tags}]


PARAMS = (
    contract.string("UUID", "The API token; or the form field"),
    Param("data", {"type": "string"}, description="A JSON array of checks; or the form field"),
)
ANSWER = {200: Answer(None, '` {"state":"OK"}`, with `advansed` messages for dropped checks', media="")}
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("post", "/oddeye-barlus/put/tsdb"): Operation("Submit checks", ANSWER, params=PARAMS, body=FormIn, media=(FORM,)),
    ("get", "/oddeye-barlus/put/tsdb"): Operation("Submit checks", ANSWER, params=PARAMS),
}
# Barlus' codes: 406 EMPTY UUID, 411 no valid check, 415 unreadable data, 424 empty data or NOT VALID UUID.
ERRORS = (400, 402, 406, 411, 415, 424, 429)
