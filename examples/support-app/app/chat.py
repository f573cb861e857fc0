"""Answers support tickets: a local Llama for drafts, hosted models for review (illustrative)."""

import anthropic
from openai import OpenAI
from transformers import AutoModelForCausalLM, AutoTokenizer

DRAFT_MODEL = "meta-llama/Llama-3.1-8B-Instruct"

tokenizer = AutoTokenizer.from_pretrained(DRAFT_MODEL)
drafter = AutoModelForCausalLM.from_pretrained(DRAFT_MODEL)

openai_client = OpenAI()
claude = anthropic.Anthropic()


def review(draft: str) -> str:
    first = openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": draft}],
    )
    second = claude.messages.create(
        model="claude-3-5-sonnet-20241022",
        max_tokens=512,
        messages=[{"role": "user", "content": first.choices[0].message.content}],
    )
    return second.content[0].text
