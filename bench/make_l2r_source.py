#!/usr/bin/env python3
"""Build a JSON Lines corpus of human texts and language-model rewrites of them
from a fetched snapshot of github.com/ranhli/l2r_data (L2R, Hao et al., ACL 2025).

Standard library only. Reads the data straight from the git objects:

    python3 make_jsonl.py /work/.mirror/ranhli+l2r_data/repo second.jsonl

Layout of the source: one folder per domain, each holding human.json and one
file per model (GPT-3-Turbo.json, GPT-4o.json, Gemini-1.5-Pro.json,
Llama-3-70B.json); every file is a flat JSON array of strings.  The model texts
are rewrites of the human texts (word overlap with their own human text is
about 0.4-0.55 Jaccard against about 0.1 for an unrelated one).  For three
models the i-th model text rewrites the i-th human text; the Gemini files have
fewer items and are not index-aligned, so every model text is matched back to
its human text by word overlap and `prompt_id` names that human text.

Output: one object per text with id, text, origin, llm, method, prompt_id,
words, source, commit, license, plus domain, pair_score and preamble_removed.
"""
import argparse
import json
import re
import subprocess
import sys

SOURCE = "github.com/ranhli/l2r_data"
LICENSE = ("CC-BY-3.0 (LICENSE.txt: Creative Commons Attribution 3.0 Unported); "
           "the human texts were collected from third-party sources with their own terms")
MODELS = ["GPT-3-Turbo", "GPT-4o", "Gemini-1.5-Pro", "Llama-3-70B"]
# Model names as the providers spell them. "GPT-3-Turbo" is gpt-3.5-turbo.
LLM_NAME = {"GPT-3-Turbo": "gpt-3.5-turbo", "GPT-4o": "gpt-4o",
            "Gemini-1.5-Pro": "gemini-1.5-pro", "Llama-3-70B": "llama-3-70b"}
ALL_DOMAINS = ["AcademicResearch", "ArtCulture", "Business", "Code", "EducationMaterial",
               "Entertainment", "Environmental", "Finance", "FoodCusine", "GovernmentPublic",
               "LegalDocument", "LiteratureCreativeWriting", "MedicalText", "NewsArticle",
               "OnlineContent", "PersonalCommunication", "ProductReview", "Religious",
               "Sports", "TechnicalWriting", "TravelTourism"]
# Left out by default: Code (source code, not prose), NewsArticle (XSum news),
# LiteratureCreativeWriting (Reddit WritingPrompts), ProductReview (Yelp reviews),
# TravelTourism (its human, GPT-4o, Gemini and Llama files are byte-identical
# to TechnicalWriting's).
EXCLUDED = {"Code", "NewsArticle", "LiteratureCreativeWriting", "ProductReview", "TravelTourism"}
DEFAULT_DOMAINS = [d for d in ALL_DOMAINS if d not in EXCLUDED]

MIN_PAIR = 0.15   # below this word-overlap a model text is not linked to any human text

PREAMBLE = re.compile(
    r"^\s*(?:sure|okay|ok|absolutely|certainly|of course|here(?:'s| is| are)|below is|"
    r"revised|rewritten|reworded|rephrased)\b[^\n]{0,160}:\s*\n", re.I)
PREAMBLE_INLINE = re.compile(
    r"^\s*(?:revised (?:text|version|phrasing)|rewritten (?:text|version)|"
    r"here(?:'s| is) (?:the|a) [^\n:]{0,80}):\s*", re.I)
OUTRO = re.compile(
    r"\n\s*(?:let me know|i hope|hope this|feel free|this (?:version|rewrite|revision)|"
    r"note:|\(note)[^\n]*\s*$", re.I)


def git(gitdir, *args):
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True,
                          capture_output=True).stdout


def load(gitdir, path):
    data = json.loads(git(gitdir, "show", "HEAD:" + path))
    if isinstance(data, dict):
        data = list(data.values())
    return [x if isinstance(x, str) else str(x) for x in data]


def tokens(s):
    return set(re.findall(r"[a-z0-9']+", s.lower()))


def jaccard(a, b):
    u = a | b
    return len(a & b) / len(u) if u else 0.0


def clean_model(text):
    """Drop chat preambles ("Sure! Here's a ... version:"), closing offers and
    markdown markers that a human text in these domains would not carry."""
    t = text.strip()
    removed = False
    m = PREAMBLE.match(t) or PREAMBLE_INLINE.match(t)
    if m:
        t = t[m.end():]
        removed = True
    m = OUTRO.search(t)
    if m and m.start() > len(t) // 2:
        t = t[:m.start()]
        removed = True
    t = re.sub(r"^\s*#{1,6}\s*", "", t, flags=re.M)      # markdown headings
    t = re.sub(r"\*\*|__", "", t)                           # bold markers
    t = re.sub(r"^\s*[*\-\u2022]\s+", "", t, flags=re.M)    # bullet markers
    t = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", t)  # *italics*
    t = t.strip()
    if len(t) > 2 and t[0] in "\"“" and t[-1] in "\"”" \
            and t.count('"') + t.count("“") + t.count("”") == 2:
        t = t[1:-1]                                         # whole body wrapped in quotes
        removed = True
    return t, removed


def collapse(text):
    return " ".join(text.split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gitdir", help="bare git directory of the fetched ranhli/l2r_data snapshot")
    ap.add_argument("out", help="output .jsonl path")
    ap.add_argument("--domains", default=",".join(DEFAULT_DOMAINS),
                    help="comma-separated domain folders (default: all prose domains except "
                         "XSum news, WritingPrompts, Yelp, Code and the duplicated TravelTourism)")
    ap.add_argument("--min-words", type=int, default=80)
    ap.add_argument("--max-words", type=int, default=600)
    ap.add_argument("--keep-unpaired", action="store_true",
                    help="also keep model texts whose human text is not in the output "
                         "(no word-overlap match, or the human text fell outside the word range)")
    args = ap.parse_args()

    commit = git(args.gitdir, "rev-parse", "HEAD").decode().strip()
    domains = [d for d in args.domains.split(",") if d]
    records, stats = [], {"dup_human": 0, "dup_llm": 0, "unpaired": 0, "reindexed": 0,
                          "out_of_range": 0, "preamble": 0}
    seen = set()
    for dom in domains:
        humans = load(args.gitdir, f"{dom}/human.json")
        htok = [tokens(h) for h in humans]
        first_of = {}            # exact duplicate human texts -> first index
        for i, h in enumerate(humans):
            first_of.setdefault(collapse(h), i)
        for i, h in enumerate(humans):
            text = collapse(h)
            if first_of[text] != i or text in seen:
                stats["dup_human"] += 1
                continue
            seen.add(text)
            records.append({"id": f"{dom}/human.json#{i}", "text": text, "origin": "human",
                            "llm": None, "method": "human", "prompt_id": f"{dom}#{i}",
                            "domain": dom, "pair_score": None, "preamble_removed": False})
        for model in MODELS:
            try:
                texts = load(args.gitdir, f"{dom}/{model}.json")
            except subprocess.CalledProcessError:
                continue
            for i, raw in enumerate(texts):
                body, removed = clean_model(raw)
                text = collapse(body)
                if not text or text in seen:
                    stats["dup_llm"] += 1
                    continue
                seen.add(text)
                t = tokens(text)
                scores = [jaccard(t, h) for h in htok]
                best = max(range(len(scores)), key=scores.__getitem__)
                if i < len(scores) and scores[i] >= scores[best] - 0.02:
                    best = i
                elif scores[best] >= MIN_PAIR:
                    stats["reindexed"] += 1
                if scores[best] < MIN_PAIR:
                    pid, score = None, round(scores[best], 3)
                    stats["unpaired"] += 1
                else:
                    pid, score = f"{dom}#{first_of[collapse(humans[best])]}", round(scores[best], 3)
                stats["preamble"] += removed
                records.append({"id": f"{dom}/{model}.json#{i}", "text": text, "origin": "llm",
                                "llm": LLM_NAME[model], "method": "rewrite", "prompt_id": pid,
                                "domain": dom, "pair_score": score, "preamble_removed": removed})
    def in_range(r: dict) -> bool:
        return args.min_words <= len(r["text"].split()) <= args.max_words

    kept_humans = {r["prompt_id"] for r in records if r["origin"] == "human" and in_range(r)}
    out = []
    for r in records:
        w = len(r["text"].split())
        if not in_range(r):
            stats["out_of_range"] += 1
            continue
        if r["origin"] == "llm" and not args.keep_unpaired and r["prompt_id"] not in kept_humans:
            stats["dropped_unpaired"] = stats.get("dropped_unpaired", 0) + 1
            continue
        out.append({"id": r["id"], "text": r["text"], "origin": r["origin"], "llm": r["llm"],
                    "method": r["method"], "prompt_id": r["prompt_id"], "words": w,
                    "source": SOURCE, "commit": commit, "license": LICENSE,
                    "domain": r["domain"], "pair_score": r["pair_score"],
                    "preamble_removed": r["preamble_removed"]})
    with open(args.out, "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} records to {args.out} (commit {commit[:12]}); "
          + ", ".join(f"{k}={v}" for k, v in stats.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
