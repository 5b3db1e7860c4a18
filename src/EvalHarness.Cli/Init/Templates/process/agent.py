"""A sample support agent that EvalHarness runs as a process (Python 3, standard library only).

Replace it with your own agent, in any language. The contract (docs/own-agent.md):
- the model is reached at $OPENAI_BASE_URL (the OpenAI chat completions API), which the harness points
  at the case's cassette; $EVALH_MODEL names the suite's model;
- stdin holds one JSON object: {"case_id": "...", "input": "<the user's message>", "conversation": [...], "vars": {...}};
  "conversation" is the conversation so far ({"role": "user" | "assistant", "content": "..."}), ending with the user's
  message: in a multi-turn scenario the harness starts the agent once per user turn (docs/conversations.md), with
  "turn" (1, 2, ...) and "state": the state this agent printed on the turn before, so its world carries on;
- the last line of stdout is the answer: {"output": "...", "state": {...}}; earlier lines are the log.

In replay every request must equal the recorded one, so keep requests deterministic: a fixed prompt,
fixed tools, temperature 0, nothing that depends on the time or on chance.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

SYSTEM_PROMPT = (
    "You are the support assistant of a small online shop. Look orders up before you answer, "
    "refund an order only when the customer asks for their money back, and answer briefly, "
    "naming the order id."
)
MAX_STEPS = 5


def tool(name, description, **parameters):
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {p: {"type": "string", "description": d} for p, d in parameters.items()},
                "required": list(parameters),
                "additionalProperties": False,
            },
        },
    }


TOOLS = [
    tool("lookup_order", "An order's item, total and status.", order_id="The order id, e.g. A100."),
    tool("refund_order", "Refunds an order in full.", order_id="The order id.", reason="Why, in a few words."),
]


class Shop:
    """The agent's world for one case: every process starts from the same orders."""

    def __init__(self, state=None):
        self.orders = {
            "A100": {"item": "ceramic mug set", "total": 42.00, "status": "delivered"},
            "B200": {"item": "wireless headphones", "total": 129.00, "status": "shipped"},
        }
        # In a conversation, the orders as the turn before left them.
        self.orders.update((state or {}).get("orders", {}))

    def call(self, name, arguments):
        try:
            args = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            return {"error": "the arguments are not valid JSON"}
        order = self.orders.get(str(args.get("order_id", "")).strip().upper())
        if order is None:
            return {"error": "no such order"}
        if name == "lookup_order":
            return order
        if name == "refund_order":
            if order["status"] == "refunded":
                return {"error": "already refunded"}
            order["status"] = "refunded"
            return {"refunded": order["total"]}
        return {"error": f"unknown tool {name}"}


def chat(body):
    base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
    request = urllib.request.Request(
        base_url + "/chat/completions",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ.get("OPENAI_API_KEY", "")},
    )
    # The harness listens on loopback: a proxy set for the outside world must not catch it.
    loopback = urllib.parse.urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1")
    opener = urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if loopback else []))
    try:
        with opener.open(request, timeout=120) as response:
            return json.load(response)["choices"][0]["message"]
    except urllib.error.HTTPError as e:
        raise SystemExit(f"HTTP {e.code} from the model: {e.read().decode('utf-8', 'replace')}") from None


def main():
    case = json.loads(sys.stdin.read())
    shop = Shop(case.get("state"))
    conversation = case.get("conversation") or [{"role": "user", "content": case["input"]}]
    messages = [{"role": "system", "content": SYSTEM_PROMPT}] + [{"role": m["role"], "content": m["content"]} for m in conversation]
    model = os.environ.get("EVALH_MODEL", "gpt-4o-mini")
    answer = f"I could not finish within {MAX_STEPS} steps."
    for step in range(1, MAX_STEPS + 1):
        message = chat({"model": model, "temperature": 0, "messages": messages, "tools": TOOLS})
        calls = message.get("tool_calls") or []
        if not calls:
            answer = message.get("content") or ""
            break
        messages.append({"role": "assistant", "content": message.get("content"), "tool_calls": calls})
        for call in calls:
            print(f"step {step}: {call['function']['name']}", flush=True)
            result = shop.call(call["function"]["name"], call["function"].get("arguments"))
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})
    print(json.dumps({"output": answer, "state": {"orders": shop.orders}}), flush=True)


if __name__ == "__main__":
    main()
