"""A library desk agent, run by EvalHarness as a process (Python 3 standard library only).

The harness starts one process per case, and in a conversation one per user turn. It writes one JSON
object to stdin, e.g. {"case_id": "...", "input": "Can I reserve something by Jane Austen?", "turn": 1,
"conversation": [{"role": "user", "content": "Can I reserve something by Jane Austen?"}], "vars": {}},
and reads the last line of stdout: {"output": "<final answer>", "state": {"reservations": [...]}}.
Every earlier stdout line is a log line. On a later turn, "conversation" holds the turns so far (the
user's messages and this agent's answers) and "state" the state this agent reported on the turn before,
so the reservations it made carry on.

The model is reached through the OpenAI chat completions API at $OPENAI_BASE_URL. In replay the
harness compares each request body with the recorded one, so requests must be identical from run
to run: fixed model, temperature 0, fixed prompt and tools, and nothing time- or random-dependent.
"""

import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

SYSTEM_PROMPT = (
    "You are the desk assistant of a small public library. "
    "Help patrons find books with search_books and reserve available ones with reserve_book; "
    "answer briefly and never mention books that are not in the catalog."
)

DEFAULT_MODEL = "gpt-4o-mini"
MAX_STEPS = 6
STEP_LIMIT_ANSWER = f"I could not finish within {MAX_STEPS} steps."

# Tools in a fixed order: their JSON is part of every request body.
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "search_books",
            "description": "Search the catalog for books whose title or author contains any of the query's words.",
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "Words from a title or an author's name."},
                },
                "required": ["query"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "reserve_book",
            "description": "Reserve an available book for the patron by its catalog id.",
            "parameters": {
                "type": "object",
                "properties": {
                    "book_id": {"type": "string", "description": "The catalog id, e.g. B2."},
                },
                "required": ["book_id"],
                "additionalProperties": False,
            },
        },
    },
]

# Words that say nothing about which book is meant ("books by Austen").
FILLER_WORDS = {"a", "an", "and", "the", "of", "by", "book", "books"}


def words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower()))


class Library:
    """The catalog and the reservations made in this run: the agent's whole world."""

    def __init__(self, reservations=()):
        self.books = [
            {"id": "B1", "title": "The Left Hand of Darkness", "author": "Ursula K. Le Guin", "available": True},
            {"id": "B2", "title": "Dune", "author": "Frank Herbert", "available": True},
            {"id": "B3", "title": "Pride and Prejudice", "author": "Jane Austen", "available": False},
            {"id": "B4", "title": "The Hobbit", "author": "J. R. R. Tolkien", "available": True},
            {"id": "B5", "title": "Emma", "author": "Jane Austen", "available": True},
        ]
        self.reservations = []
        for book_id in reservations:
            self.reserve_book(book_id)

    def search_books(self, query):
        wanted = words(query) - FILLER_WORDS
        return [b for b in self.books if wanted & words(b["title"] + " " + b["author"])]

    def reserve_book(self, book_id):
        book_id = book_id.strip().upper()
        book = next((b for b in self.books if b["id"] == book_id), None)
        if book is None:
            return {"error": f"no book with id {book_id}"}
        if book_id in self.reservations:
            return {"error": f"{book_id} is already reserved for you"}
        if not book["available"]:
            return {"error": f"{book_id} is not available: it is on loan"}
        book["available"] = False
        self.reservations.append(book_id)
        return {"book_id": book_id, "status": "reserved"}

    def call(self, name, arguments):
        """Runs one tool call and returns its result as the string the tool message carries."""
        try:
            args = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            return f"error: the arguments of {name} are not valid JSON"
        if name == "search_books" and isinstance(args.get("query"), str):
            return json.dumps(self.search_books(args["query"]))
        if name == "reserve_book" and isinstance(args.get("book_id"), str):
            return json.dumps(self.reserve_book(args["book_id"]))
        if name in ("search_books", "reserve_book"):
            return f"error: {name} needs a string argument"
        return f"error: unknown tool {name}"


class ApiError(Exception):
    pass


def chat(base_url, api_key, body):
    """POSTs one non-streaming chat completion request and returns the answer's message."""
    request = urllib.request.Request(
        base_url.rstrip("/") + "/chat/completions",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
        method="POST",
    )
    # The harness's replay server is on loopback; an http_proxy set for the outside world must not
    # catch it (urllib only skips a proxy for hosts listed in no_proxy).
    host = urllib.parse.urlsplit(request.full_url).hostname
    handlers = [urllib.request.ProxyHandler({})] if host in ("127.0.0.1", "localhost", "::1") else []
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=60) as response:
            reply = json.load(response)
        message = reply["choices"][0]["message"]
        if not isinstance(message, dict):
            raise TypeError("choices[0].message is not an object")
        return message
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace").strip()
        raise ApiError(f"HTTP {e.code} from {request.full_url}: {detail}") from None
    except urllib.error.URLError as e:
        raise ApiError(f"cannot reach {request.full_url}: {e.reason}") from None
    except OSError as e:  # e.g. a timeout while reading the answer
        raise ApiError(f"no answer from {request.full_url}: {e}") from None
    except (ValueError, LookupError, TypeError) as e:
        raise ApiError(f"unexpected response from {request.full_url}: {e!r}") from None


def log(line):
    # Progress goes to stdout on purpose: the harness takes only the last line as the answer.
    print(line, flush=True)


def run(conversation, library, base_url, api_key, model):
    """The tool loop over the conversation so far (ending with the user's message); returns the final answer."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    messages += [{"role": m["role"], "content": m["content"]} for m in conversation]
    for step in range(1, MAX_STEPS + 1):
        message = chat(base_url, api_key, {"model": model, "temperature": 0, "messages": messages, "tools": TOOLS})
        tool_calls = message.get("tool_calls") or []
        if not tool_calls:
            log(f"step {step}: answered")
            return message.get("content") or ""
        if step == MAX_STEPS:
            # No request is left to send their results in, so the calls are not run.
            log(f"step {step}: stopped at the step limit")
            break
        # The assistant turn goes back with its tool calls as the model sent them; other fields of the
        # returned message (refusal, annotations, ...) are left out, as not every server accepts them.
        messages.append({"role": "assistant", "content": message.get("content"), "tool_calls": tool_calls})
        for call in tool_calls:
            name = call["function"]["name"]
            log(f"step {step}: calling tool {name}")
            result = library.call(name, call["function"].get("arguments"))
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})
    return STEP_LIMIT_ANSWER


def main():
    base_url = os.environ.get("OPENAI_BASE_URL")
    if not base_url:
        print("error: OPENAI_BASE_URL is not set (it should end in /v1)", file=sys.stderr)
        return 2
    api_key = os.environ.get("OPENAI_API_KEY", "")
    model = os.environ.get("EVALH_MODEL") or DEFAULT_MODEL

    try:
        case = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        user_input = case["input"]
        if not isinstance(user_input, str):
            raise TypeError("'input' is not a string")
        conversation = case.get("conversation") or [{"role": "user", "content": user_input}]
        reservations = (case.get("state") or {}).get("reservations", [])
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        print(f"error: stdin must be one JSON object with an 'input' string ({e})", file=sys.stderr)
        return 2

    turn = f", turn {case['turn']}" if case.get("turn", 1) > 1 else ""
    log(f"case {case.get('case_id') or os.environ.get('EVALH_CASE_ID', '?')}{turn}: model {model}")
    library = Library(reservations)
    try:
        answer = run(conversation, library, base_url, api_key, model)
    except ApiError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    print(json.dumps({"output": answer, "state": {"reservations": library.reservations}}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
