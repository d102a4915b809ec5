"""Parse a problem-set Markdown file into the model. The only module that imports markdown_it."""

from __future__ import annotations

import ast
import difflib
import math
import numbers
import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .errors import ContentError, ContentErrors
from .model import CODE_KINDS, KINDS, Choice, CodeBlock, Markdown, Problem, ProblemSet

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
OPTION_RE = re.compile(r":([A-Za-z_][\w-]*):(?:\s+(.*?))?\s*")
CHOICE_RE = re.compile(r"\(([A-Za-z0-9]+)\)\s*(.*)", re.S)
FRONT_MATTER_KEYS = ("title", "summary", "tags", "order")
OPTIONS_BY_KIND = {
    "recall": {"kind", "title", "tags"},
    "compute": {"kind", "title", "tags", "answer", "rtol", "atol", "sigfigs"},
    "choice": {"kind", "title", "tags", "answer"},
    **{kind: {"kind", "title", "tags", "check"} for kind in CODE_KINDS},
}
ALL_OPTIONS = sorted(set().union(*OPTIONS_BY_KIND.values()))
BLOCK_ROLES = {"answer": {"compute"}, "starter": CODE_KINDS, "solution": CODE_KINDS}
INNER_DIRECTIVES = ("hint", "answer")
# A line that looks like a special fence (any number of backticks or tildes, any indentation or
# quoting before it): anywhere but a problem's top level it would show its code to students.
SPECIAL_FENCE_RE = re.compile(r"(?P<indent>[ \t>]*)(?P<fence>`+|~+)[ \t]*python[ \t]+(?P<role>[A-Za-z_]+)\b.*")
COLON_LINE_RE = re.compile(r"[ \t>]*(?P<colons>:{3,})[ \t]*(?:\{(?P<name>[^}]*)\}[ \t]*(?P<arg>\S*))?.*")
STRAY_OPTION_RE = re.compile(r"[ \t]*:(?P<key>[A-Za-z_][\w-]*):(?:[ \t].*)?")
FENCE_RE = re.compile(r"[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*")
SHORT_FENCE_RE = re.compile(r"[ \t>]*(`{1,2}|~{1,2})[ \t]*\w*[ \t]*")
IMPORT_RE = re.compile(r"[ \t]*(from[ \t]+[\w.]+[ \t]+import[ \t]+\w.*|import[ \t]+[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*)")
MERMAID_TEXT_RE = re.compile(r"\s*(accTitle\s*:|accDescr\s*[:{]|%%\s*alt\s*:)\s*\S")


def _parser(front_matter: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table").use(colon_fence_plugin).use(dollarmath_plugin)
    return md.use(front_matter_plugin) if front_matter else md


_FILE_MD = _parser(front_matter=True)
# A problem body may start with `---` (a rule): it must not be read as front matter.
_BODY_MD = _parser(front_matter=False)


def suggest(word: str, choices) -> str:
    """Return ` (did you mean 'x'?)` for the closest of `choices`, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_file(path: str | Path) -> ProblemSet:
    """Parse one content file, raising ContentErrors with every structural error found."""
    problem_set, errors = read_set(path)
    if errors:
        raise ContentErrors(errors)
    return problem_set


def parse_text(text: str, path: str = "<text>", set_id: str | None = None) -> ProblemSet:
    """Parse Markdown source, raising ContentErrors with every structural error found."""
    problem_set, errors = _SetParser(text, path, set_id).parse()
    if errors:
        raise ContentErrors(errors)
    return problem_set


def read_set(path: str | Path) -> tuple[ProblemSet | None, list[ContentError]]:
    """Parse one file into the set (its well-formed problems) and the errors found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [ContentError(str(path), 1, f"file is not UTF-8 text ({exc.reason}): save it as UTF-8")]
    except OSError as exc:
        return None, [ContentError(str(path), 1, f"cannot read file: {exc.strerror}")]
    return _SetParser(text, str(path), path.stem).parse()


class _SetParser:
    """One pass over one file, collecting errors instead of stopping at the first."""

    def __init__(self, text: str, path: str, set_id: str | None):
        # A UTF-8 BOM (some Windows editors write one) is not part of the text.
        self.text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        self.lines = self.text.split("\n")
        self.path = path
        self.set_id = set_id or Path(path).stem
        self.errors: list[ContentError] = []
        self.hint_pending: set[str] = set()

    def error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.path, line, message))

    def parse(self) -> tuple[ProblemSet | None, list[ContentError]]:
        tokens = _FILE_MD.parse(self.text)
        meta, body_start = self.front_matter(tokens)
        problem_set = ProblemSet(id=self.set_id, path=self.path, title=meta.get("title", ""),
                                 summary=meta.get("summary", ""), tags=meta.get("tags", ()),
                                 order=meta.get("order"))
        seen: dict[str, int] = {}
        text_start = body_start
        first_problem: int | None = None
        for token in tokens:
            if token.type != "colon_fence" or token.level != 0 or token.map is None:
                continue
            name, arg = _directive(token.info)
            start, end = token.map
            if name is None:
                continue
            self.add_markdown(problem_set, text_start, start)
            text_start = end
            if name != "problem":
                where = "inside a problem" if name in INNER_DIRECTIVES else "here"
                hint = "" if name in INNER_DIRECTIVES else suggest(name, ["problem"])
                self.error(start + 1, f"directive '{{{name}}}' is not allowed {where}{hint}: "
                                      "top-level directives are `::::{problem} ID`")
                continue
            if first_problem is None:
                first_problem = start
                self.check_intro(problem_set, start)
            problem = self.problem(token, arg)
            if problem is None:
                continue
            if problem.id in seen:
                self.error(problem.line, f"duplicate problem id '{problem.id}' (first used at line "
                                         f"{seen[problem.id]}): give each problem its own id")
                continue
            seen[problem.id] = problem.line
            problem_set.items.append(problem)
        self.add_markdown(problem_set, text_start, len(self.lines))
        return problem_set, self.errors

    def add_markdown(self, problem_set: ProblemSet, start: int, end: int) -> None:
        self.check_prose([(i + 1, self.lines[i]) for i in range(start, end)], None)
        chunk = self.lines[start:end]
        while chunk and not chunk[0].strip():
            chunk, start = chunk[1:], start + 1
        text = "\n".join(chunk).strip()
        if text:
            problem_set.items.append(Markdown(text, start + 1))

    def check_intro(self, problem_set: ProblemSet, start: int) -> None:
        """Require prose, not only headings, before the first problem."""
        intro = [item.text for item in problem_set.items if isinstance(item, Markdown)]
        if not any(line.strip() and not line.lstrip().startswith("#")
                   for text in intro for line in text.splitlines()):
            self.error(start + 1, "the set has no intro: before the first problem, write a paragraph "
                                  "saying what the set practises and the conventions it uses")

    def front_matter(self, tokens) -> tuple[dict, int]:
        """Return the validated front matter and the 0-based line where the body starts."""
        if not tokens or tokens[0].type != "front_matter":
            if self.lines and self.lines[0].strip() == "---":
                self.error(1, "front matter is never closed: end it with a `---` line")
            else:
                self.error(1, "missing front matter: start the file with a `---` block holding "
                              "at least `title: ...`, then a closing `---`")
            return {}, 0
        token = tokens[0]
        try:
            meta = yaml.safe_load(token.content)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = 2 + (mark.line if mark else 0)
            problem = getattr(exc, "problem", None) or "invalid YAML"
            self.error(line, f"front matter is not valid YAML ({problem}){_quote_hint(self.lines, line)}")
            return {}, token.map[1]
        if meta is None:
            meta = {}
        if not isinstance(meta, dict):
            self.error(1, "front matter must be `key: value` lines (title, summary, tags, order)")
            return {}, token.map[1]
        out: dict = {}
        for key, value in meta.items():
            line = self.front_matter_line(token.map, key)
            if key not in FRONT_MATTER_KEYS:
                self.error(line, f"unknown front matter key '{key}'{suggest(str(key), FRONT_MATTER_KEYS)}: "
                                 f"known keys are {', '.join(FRONT_MATTER_KEYS)}")
            elif key in ("title", "summary"):
                if not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip():
                    self.error(line, f"front matter `{key}` must be a line of text")
                else:
                    out[key] = str(value).strip()
            elif key == "tags":
                tags = [t.strip() for t in value.split(",")] if isinstance(value, str) else value
                if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
                    self.error(line, "front matter `tags` must be a list, e.g. `tags: [backprop, relu]`")
                else:
                    out["tags"] = tuple(str(t).strip() for t in tags if str(t).strip())
            elif key == "order":
                if not isinstance(value, int) or isinstance(value, bool):
                    self.error(line, f"front matter `order` must be a whole number, got {value!r}")
                else:
                    out["order"] = value
        if "title" not in meta:
            self.error(1, "front matter has no `title`: add `title: ...` (shown on the landing page)")
        if "summary" not in meta:
            self.error(1, "front matter has no `summary`: add `summary: ...`, a sentence or two shown "
                          "on the landing page")
        if "tags" not in meta:
            self.error(1, "front matter has no `tags`: add a list such as `tags: [backprop, relu]`")
        return out, token.map[1]

    def front_matter_line(self, span, key) -> int:
        for i in range(span[0] + 1, span[1]):
            if self.lines[i].lstrip().startswith(f"{key}:"):
                return i + 1
        return span[0] + 1

    def problem(self, token, arg: str) -> Problem | None:
        start, end = token.map
        line = start + 1
        if not arg:
            self.error(line, "problem has no id: write `::::{problem} ID`, e.g. `::::{problem} K1`")
            return None
        if not ID_RE.fullmatch(arg):
            self.error(line, f"problem id '{arg}' is not valid: use letters, digits, '.', '_' or '-', "
                             "starting with a letter or digit")
            return None
        if len(token.markup) < 4:
            self.error(line, f"problem '{arg}' opens with {len(token.markup)} colons: use four "
                             "(`::::{problem}`) so hints and answers inside can use three")
            return None
        if not _closed(self.lines, token, ":"):
            colons = ":" * len(token.markup)
            self.error(line, f"problem '{arg}' (opened at line {line}) is never closed: end it with a "
                             f"`{colons}` line ({len(token.markup)} colons, as it opened) after its last "
                             "hint or answer")
            return None
        n_errors = len(self.errors)
        body = self.lines[start + 1:end - 1]
        options, option_lines, n_opts = self.options(arg, body, start + 1)
        problem = Problem(id=arg, kind=options.get("kind", ""), path=self.path, line=line, end_line=end,
                          prompt="", option_lines=option_lines)
        misplaced = self.misplaced_options(problem, body, n_opts, start + 1)
        if "kind" in options or "kind" not in misplaced:
            self.fill_options(problem, options)
        self.fill_body(problem, body[n_opts:], start + 1 + n_opts)
        self.check_required(problem)
        return problem if len(self.errors) == n_errors else None

    def options(self, pid: str, body: list[str], first: int):
        options: dict[str, str] = {}
        lines: dict[str, int] = {}
        n = 0
        for n, text in enumerate(body):
            match = OPTION_RE.fullmatch(text)
            if not match:
                break
            key, value = match.group(1), (match.group(2) or "").strip()
            if key in options:
                self.error(first + n + 1, f"problem '{pid}': option `:{key}:` is given twice")
            options[key], lines[key] = value, first + n + 1
        else:
            n = len(body)
        return options, lines, n

    def misplaced_options(self, p: Problem, body: list[str], n_opts: int, first: int) -> set[str]:
        """Report option lines below a blank line or indented: they would land in the prompt."""
        found: set[str] = set()
        fence = None
        for n in range(n_opts, len(body)):
            colon = COLON_LINE_RE.fullmatch(body[n])
            if colon and colon.group("name") == "problem":
                break  # a swallowed problem's options are its own
            fence = _next_fence_state(fence, body[n])
            match = STRAY_OPTION_RE.fullmatch(body[n])
            if fence is None and match and match.group("key") in ALL_OPTIONS:
                found.add(match.group("key"))
                self.error(first + n + 1, f"problem '{p.id}': option `:{match.group('key')}:` is not "
                                          f"directly under the opening line: options go right below "
                                          f"`::::{{problem}} {p.id}`, with no blank line or indentation "
                                          "before them")
        return found

    def fill_options(self, p: Problem, options: dict[str, str]) -> None:
        where = f"problem '{p.id}'"
        if "kind" not in options:
            self.error(p.line, f"{where} has no `:kind:`: add one of {', '.join(KINDS)}")
            return
        if p.kind not in KINDS:
            self.error(p.option_lines["kind"], f"{where}: unknown kind '{p.kind}'{suggest(p.kind, KINDS)}; "
                                               f"use one of {', '.join(KINDS)}")
            return
        allowed = OPTIONS_BY_KIND[p.kind]
        for key, value in options.items():
            line = p.option_lines[key]
            if key not in ALL_OPTIONS:
                self.error(line, f"{where}: unknown option `:{key}:`{suggest(key, ALL_OPTIONS)}")
            elif key not in allowed:
                kinds = sorted(k for k, opts in OPTIONS_BY_KIND.items() if key in opts)
                self.error(line, f"{where}: option `:{key}:` does not apply to {p.kind} problems "
                                 f"(only to {', '.join(kinds)})")
            elif key == "title":
                p.title = value
            elif key == "tags":
                p.tags = tuple(t.strip() for t in value.split(",") if t.strip())
            elif key == "check":
                p.check = value or None
            elif key in ("rtol", "atol"):
                tol = _float(value)
                if tol is None or tol < 0:
                    self.error(line, f"{where}: `:{key}:` must be a non-negative number, got '{value}'")
                else:
                    setattr(p, key, tol)
            elif key == "sigfigs":
                if not re.fullmatch(r"[1-9][0-9]?", value.strip()):
                    self.error(line, f"{where}: `:sigfigs:` must be a whole number from 1 to 99, got '{value}'")
                else:
                    p.sigfigs = int(value)
            elif key == "answer":
                self.fill_answer(p, value, line)

    def fill_answer(self, p: Problem, value: str, line: int) -> None:
        where = f"problem '{p.id}'"
        if p.kind == "compute":
            try:
                parsed = to_plain(ast.literal_eval(value))
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, OverflowError):
                parsed = None
            if not is_numeric(parsed):
                self.error(line, f"{where}: cannot read `:answer: {value}`: write a number or a list "
                                 "of numbers as Python, e.g. `0.25` or `[[1, 2], [3, 4]]`")
                return
            p.answer = parsed
        else:
            if value.lower() in ("true", "false"):
                p.answer = value.lower() == "true"
                return
            labels = [label.strip().strip("()") for label in value.split(",")]
            if not value or not all(re.fullmatch(r"[A-Za-z0-9]+", label) for label in labels):
                self.error(line, f"{where}: cannot read `:answer: {value}`: write `true`, `false`, or "
                                 "the correct option labels, comma-separated, e.g. `b` or `a, c`")
                return
            p.answer = tuple(labels)

    def fill_body(self, p: Problem, body: list[str], first: int) -> None:
        """Split the body into prompt, hints, answer, code blocks and choices."""
        where = f"problem '{p.id}'"
        removed: set[int] = set()
        code: set[int] = set()  # lines of the special blocks: code, never shown as prose
        hints: list[str] = []
        opened_hint = False
        choices: list[Choice] = []
        for token in _BODY_MD.parse("\n".join(body)):
            if token.level != 0 or token.map is None:
                continue
            start, end = token.map
            line = first + start + 1
            if token.type == "colon_fence":
                name, arg = _directive(token.info)
                if name is None:
                    continue  # a bare `:::` line: check_prose reports it
                removed.update(range(start, end))
                code.update((start, end - 1))
                if name == "problem":
                    code.update(range(start, end))
                    self.error(line, _nested_problem(p, arg, line))
                    break  # the rest belongs to the swallowed problem
                opened_hint = opened_hint or name == "hint"
                if not _closed(body, token, ":"):
                    self.error(line, f"{where}: `:::{{{name}}}` (opened at line {line}) is never closed: "
                                     f"end it with a `{':' * len(token.markup)}` line")
                elif name == "hint":
                    hints.append(token.content.strip())
                elif name == "answer":
                    if p.explanation is not None:
                        self.error(line, f"{where} has a second `:::{{answer}}`: merge them into one")
                    p.explanation = token.content.strip()
                else:
                    self.error(line, f"{where}: unknown directive '{{{name}}}'"
                                     f"{suggest(name, INNER_DIRECTIVES)}: inside a problem use "
                                     "`:::{hint}` or `:::{answer}`")
            elif token.type == "fence":
                lang, _, role = token.info.strip().partition(" ")
                role = role.strip()
                if lang != "python" or not role:
                    continue
                removed.update(range(start, end))
                code.update(range(start, end))
                if body[start][:1] in (" ", "\t"):
                    self.error(line, _indented_fence(where, role))
                elif role not in BLOCK_ROLES:
                    self.error(line, f"{where}: unknown code block ```python {role}```"
                                     f"{suggest(role, BLOCK_ROLES)}: use `answer`, `starter` or `solution`, "
                                     "or a plain ```python fence for code shown in the prompt")
                elif not _closed(body, token, token.markup[0]):
                    self.error(line, f"{where}: the ```python {role}``` block (opened at line {line}) is "
                                     f"never closed: end it with a `{token.markup}` line")
                elif p.kind in KINDS and p.kind not in BLOCK_ROLES[role]:
                    kinds = ", ".join(sorted(BLOCK_ROLES[role]))
                    self.error(line, f"{where}: a ```python {role}``` block does not belong in a "
                                     f"{p.kind} problem (only in {kinds})")
                else:
                    attr = "answer_block" if role == "answer" else role
                    if getattr(p, attr) is not None:
                        self.error(line, f"{where} has a second ```python {role}``` block")
                    setattr(p, attr, CodeBlock(token.content, line))
            elif token.type == "bullet_list_open":
                choices += self.choices(p, body, start, end, first)
        self.check_prose([(first + i + 1, text) for i, text in enumerate(body) if i not in code], p)
        p.hints = tuple(hints)
        if opened_hint and not hints:
            self.hint_pending.add(p.id)  # an unclosed hint is reported as such, not as a missing one
        p.choices = tuple(choices)
        p.prompt_lines = tuple((first + i + 1, text) for i, text in enumerate(body) if i not in removed)
        prompt = [text for _, text in p.prompt_lines]
        p.prompt = re.sub(r"\n{3,}", "\n\n", "\n".join(prompt)).strip()

    def check_prose(self, lines: list[tuple[int, str]], p: Problem | None) -> None:
        """Check text shown to students: no code or directive that should have been taken out of it,
        balanced `$`, and a text description for every Mermaid diagram."""
        where = f"problem '{p.id}'" if p else ""
        prefix = f"{where}: " if where else ""
        fence = None
        opened = 0
        mermaid: int | None = None
        described = False
        paragraph: list[tuple[int, str]] = []
        for number, text in lines:
            special = SPECIAL_FENCE_RE.fullmatch(text)
            colon = COLON_LINE_RE.fullmatch(text)
            if special and special.group("role") in BLOCK_ROLES:
                self.error(number, _misplaced_fence(where, special, p is None))
            elif SHORT_FENCE_RE.fullmatch(text):
                self.error(number, f"{prefix}{_fence_words(text.strip())} is not a code fence (a fence needs "
                                   "three): fix it, or the code near it is shown to students as text")
            elif fence is None and IMPORT_RE.fullmatch(text):
                self.error(number, f"{prefix}`{text.strip()}` is Python outside a code fence, so it is shown "
                                   "to students as text: put it back inside its ```python block")
            elif colon and colon.group("name") == "problem":
                if p is not None:
                    self.error(number, _nested_problem(p, colon.group("arg"), number))
                    return  # what follows belongs to the swallowed problem
                self.error(number, f"`{text.strip()}` is not read as a problem (indented, or inside an "
                                   "unclosed block above): start it at the beginning of a line")
            elif colon:
                self.error(number, _stray_colons(where, text.strip(), p))
            state = _next_fence_state(fence, text)
            if fence is None and state is not None:
                mermaid = number if state[2] == "mermaid" else None
                described, opened = False, number
            elif fence is not None and state is None and mermaid is not None and not described:
                self.error(mermaid, f"{prefix}this mermaid diagram has no text description: add "
                                    "`accTitle: ...` and `accDescr: ...` lines below `flowchart ...` "
                                    "(or a `%% alt: ...` line) saying what it shows")
            elif fence is not None and mermaid is not None and MERMAID_TEXT_RE.match(text):
                described = True
            in_text = fence is None and state is None and bool(text.strip())
            fence = state
            if in_text and paragraph and number == paragraph[-1][0] + 1:
                paragraph.append((number, text))
            else:
                self.check_dollars(paragraph, where)
                paragraph = [(number, text)] if in_text else []
        self.check_dollars(paragraph, where)
        if fence is not None:
            self.error(opened, f"{prefix}this code fence is never closed, so everything after it is shown "
                               f"as code: end it with {_fence_words(fence[0] * fence[1])}")

    def check_dollars(self, paragraph: list[tuple[int, str]], where: str) -> None:
        """Report a `$` that would not pair up as maths the way the notebook pairs them."""
        problem = _find_stray_dollar(paragraph)
        if problem:
            number, excerpt = problem
            prefix = f"{where}: " if where else ""
            self.error(number, f"{prefix}the `$` in \"{excerpt}\" does not open or close maths: write `\\$` "
                               "for a literal dollar sign (maths is `$x$`, with no space just inside the dollars)")

    def choices(self, p: Problem, body: list[str], start: int, end: int, first: int) -> list[Choice]:
        items = [(i, re.match(r"\s*[-*+]\s+(.*)", body[i])) for i in range(start, end)]
        items = [(i, m.group(1)) for i, m in items if m and body[i][:1] in "-*+"]
        labelled = [(i, CHOICE_RE.fullmatch(text)) for i, text in items]
        if not any(m for _, m in labelled):
            return []
        out = []
        for i, m in labelled:
            if not m:
                self.error(first + i + 1, f"problem '{p.id}': this option has no label: start it with "
                                          "`(a)`, `(b)`, ... like the others")
            else:
                out.append(Choice(m.group(1), m.group(2).strip(), first + i + 1))
        return out

    def check_required(self, p: Problem) -> None:
        where = f"problem '{p.id}'"
        if p.kind not in KINDS:
            return
        if not p.prompt:
            self.error(p.line, f"{where} has no prompt: write the question after the options")
        if p.kind in ("recall", "choice") and p.explanation is None:
            self.error(p.line, f"{where} ({p.kind}) needs a worked answer: add `:::{{answer}}` ... `:::`"
                               + (" saying why each option is right or wrong" if p.kind == "choice" else ""))
        if not p.hints and p.id not in self.hint_pending:
            self.error(p.line, f"{where} has no hint: add at least one `:::{{hint}}` ... `:::` that names "
                               "the idea without giving the answer away")
        if p.kind == "compute" and p.answer is None and p.answer_block is None \
                and "answer" not in p.option_lines:
            self.error(p.line, f"{where} (compute) needs `:answer:` or a ```python answer``` block")
        if p.kind == "choice":
            self.check_choice(p)
        if p.kind in CODE_KINDS:
            if not p.check:
                self.error(p.line, f"{where} ({p.kind}) needs `:check:` naming a grading check")
            for role in ("starter", "solution"):
                if getattr(p, role) is None:
                    self.error(p.line, f"{where} ({p.kind}) needs a ```python {role}``` block")

    def check_choice(self, p: Problem) -> None:
        where = f"problem '{p.id}'"
        labels = [c.label for c in p.choices]
        for c in p.choices:
            if labels.count(c.label) > 1 and labels.index(c.label) != p.choices.index(c):
                self.error(c.line, f"{where}: option label ({c.label}) is used twice")
        if "answer" not in p.option_lines:
            self.error(p.line, f"{where} (choice) needs `:answer:`: `true`, `false` or the correct labels")
        elif isinstance(p.answer, tuple):
            if not p.choices:
                self.error(p.option_lines["answer"], f"{where}: `:answer:` names labels but the problem "
                                                     "has no options: add a list of `- (a) ...` items")
                return
            known = {label.lower(): label for label in labels}
            for label in p.answer:
                if label.lower() not in known:
                    options = ", ".join(f"({x})" for x in labels)
                    self.error(p.option_lines["answer"], f"{where}: `:answer:` names ({label}), which is "
                                                         f"not among the options {options}")


def _next_fence_state(state: tuple | None, line: str) -> tuple | None:
    """Return (char, length, language) of the code fence open after `line`, or None outside one."""
    match = FENCE_RE.fullmatch(line)
    if state is None:
        if not match:
            return None
        fence = match.group("fence")
        return fence[0], len(fence), match.group("info").partition(" ")[0]
    if match and match.group("fence")[0] == state[0] and len(match.group("fence")) >= state[1] \
            and not match.group("info"):
        return None
    return state


def _fence_words(fence: str) -> str:
    """Name a run of backticks in words: backticks inside a `code` span would garble the message."""
    char = "backtick" if fence.startswith("`") else "tilde"
    count = len(fence) - len(fence.lstrip(fence[0]))
    return f"a line of {count} {char}{'s' * (count > 1)}" + (f" then '{fence[count:]}'" if fence[count:] else "")


def _nested_problem(p: Problem, arg: str, line: int) -> str:
    return (f"problem '{arg or '?'}' starts inside problem '{p.id}', which opened at line {p.line} and "
            f"is not closed before line {line}: end '{p.id}' with a `::::` line (four colons; `:::` "
            "closes only a hint or an answer)")


def _indented_fence(where: str, role: str) -> str:
    return (f"{where}: the ```python {role}``` fence is indented: start it at the beginning of the "
            "line, with no spaces or tabs before it")


def _misplaced_fence(where: str, match: re.Match, top_level: bool) -> str:
    role, fence = match.group("role"), match.group("fence")
    if match.group("indent"):
        return _indented_fence(where, role) + ", or its code is shown to students"
    if len(fence) < 3:
        return (f"{where}: `python {role}` after only {len(fence)} backtick{'s' * (len(fence) > 1)} opens no "
                f"code block (a fence needs three: ```python {role}), so its code would be shown to students")
    if top_level:
        return (f"the ```python {role}``` block is outside any problem, so its code would be shown to "
                "students: move it inside its `::::{problem}`")
    return (f"{where}: this ```python {role}``` block sits inside a hint, a worked answer or another "
            "block, so its code would be shown to students: move it to the problem's own level")


def _stray_colons(where: str, text: str, p: Problem | None) -> str:
    if p is None:
        return (f"`{text}` outside any problem opens or closes nothing: a problem opens with "
                "`::::{problem} ID` and closes with `::::`")
    if re.fullmatch(r":+", text):
        return (f"{where}: this `{text}` line closes nothing: close a hint or an answer with `:::`, and the "
                f"problem (opened at line {p.line}) with `::::`")
    return (f"{where}: `{text}` is not read as a directive (indented, or inside another block): start "
            "it at the beginning of the line, at the problem's own level")


def _find_stray_dollar(paragraph: list[tuple[int, str]]) -> tuple[int, str] | None:
    """Find a `$` that JupyterLab would pair into maths by mistake, or leave unpaired.

    JupyterLab pairs every unescaped `$` within a paragraph (outside code), so "$3 and $0.1" becomes
    maths. As in pandoc, a pair is taken as meant for maths only when no space follows the opening
    `$` or precedes the closing one, and no digit follows the closing one."""
    marks = []
    for number, text in paragraph:
        plain = re.sub(r"(`+)(?:(?!\1).)+?\1", lambda m: " " * len(m.group()), text)
        marks += [(number, m.start(), text, m.group()) for m in re.finditer(r"\\.|\$\$|\$", plain)
                  if m.group().startswith("$")]
    opening = None
    for mark in marks:
        if opening is None:
            opening = mark
        elif mark[3] == opening[3]:
            if opening[3] == "$" and not _looks_like_maths(opening, mark):
                break
            opening = None
    if opening is None:
        return None
    number, col, text, _ = opening
    return number, text[max(0, col - 15):col + 25].strip()


def _looks_like_maths(opening, closing) -> bool:
    after_open = opening[2][opening[1] + 1:opening[1] + 2]
    before_close = closing[2][closing[1] - 1:closing[1]] if closing[1] else ""
    after_close = closing[2][closing[1] + 1:closing[1] + 2]
    return bool(after_open.strip()) and bool(before_close.strip()) and not after_close.isdigit()


def _quote_hint(lines: list[str], line: int) -> str:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    key, sep, value = text.partition(":")
    value = value.strip()
    if sep and ":" in value and not value.startswith(("'", '"')):
        return f": a value containing a colon must be quoted, e.g. `{key.strip()}: \"{value}\"`"
    return ": check this line's brackets and quotes; a value containing a colon must be quoted, " \
           "e.g. `title: \"Part 1: basics\"`"


def _directive(info: str) -> tuple[str | None, str]:
    match = re.fullmatch(r"\s*\{([^}]*)\}\s*(.*?)\s*", info)
    if not match:
        return None, ""
    return match.group(1).strip(), match.group(2)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _closed(lines: list[str], token, fence_char: str) -> bool:
    """Whether a fenced token ends on a closing fence (unclosed fences run to the end of `lines`)."""
    start, end = token.map
    pattern = rf"\s*{re.escape(fence_char)}{{{len(token.markup)},}}\s*"
    return start < end - 1 < len(lines) and re.fullmatch(pattern, lines[end - 1]) is not None


NUMBER_RE = re.compile(r"(?<![\w.^_])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")


def find_prompt_numbers(p: Problem) -> list[tuple[int, str]]:
    """Every number written in a problem's prompt, with its line, e.g. (12, '0.25')."""
    return [(line, match.group()) for line, text in p.prompt_lines for match in NUMBER_RE.finditer(text)]


def to_plain(value):
    """Convert numpy scalars and arrays and tuples into Python numbers and nested lists.

    Integers stay integers (they are graded exactly); every other real number becomes a float."""
    if hasattr(value, "tolist") and callable(value.tolist):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def is_numeric(value) -> bool:
    """Whether a plain value (see to_plain) is a finite number or a non-empty nested list of them."""
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, list) and bool(value) and all(is_numeric(v) for v in value)
