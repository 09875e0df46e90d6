"""E-mail addresses and URLs in OCR text elements (the EmailAddress and Uri detectors of datagen.screen.detect).

    found = email_spans(text, i) + split_email_spans(element, i) + uri_spans(text, i)

Each result is (segments, text, value, properties, rank) as in phones.py: one segment
(element, start, end) here. E-mail addresses: a well-formed address regex (dot-separated local
part, dotted host, alphabetic top-level domain), also over the words of an address OCR split into
several ("sales@thomas" "-group.net"); value = the text. URLs: with a scheme (http, https, ftp),
or bare domains, www.<anything> or a host ending in a common top-level domain (example.org/path),
never inside an e-mail address; value = the URL with "https://" before a bare domain (and "www." for a
host OCR read as "ww.", a "w" lost: 18 of 119 "www." in a monospace face on rendered phone screens). Sentence
punctuation and unbalanced closing brackets after either are not part of it.
"""

from __future__ import annotations

import re
from typing import List

from datagen.screen.model import Element, Span



_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(
    r"(?<![\w.%+-])"  # not in the middle of a longer local part
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"  # local part: no leading, trailing or double dots
    rf"@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"  # host with an alphabetic top-level domain
    r"(?![\w-]|\.[A-Za-z0-9])"  # and nothing glued after it
)
# Top-level domains a bare host ("example.org/path") must end in; www.<host> may end in any.
TLDS = ("com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "io", "co", "us", "uk", "ca",
         "de", "fr", "eu", "au", "nz", "ie", "nl", "be", "es", "it", "ch", "at", "se", "dk", "fi", "pl",
         "jp", "cn", "kr", "in", "br", "mx", "ru", "app", "dev", "ai", "me", "tv", "ly", "gl", "gg",
         "xyz", "site", "online", "store", "shop", "tech", "blog", "news", "cloud", "live", "page")
_SCHEME_URL = re.compile(r"(?<![\w.+-])(?:https?|ftp)://[^\s<>\"'`]+", re.IGNORECASE)
_BARE_URL = re.compile(
    r"(?<![\w@.+/:-])"  # not inside an e-mail, a longer host or a path
    rf"(?:www\.(?:{_LABEL}\.)*{_LABEL}\.[a-z]{{2,63}}"
    rf"|(?:{_LABEL}\.)+(?:{'|'.join(TLDS)}))"
    r"(?::\d{1,5})?"  # port
    r"(?![\w@-])"  # the host ends here (not a longer word, not a local part)
    r"(?:/[^\s<>\"'`]*)?",  # path
    re.IGNORECASE,
)
_SPLIT_HOST = re.compile(r" ([A-Za-z0-9][A-Za-z0-9./_-]*)")  # the rest of a host OCR split off after a dot
_TRAILING = ".,;:!?'\""
_BRACKETS = {")": "(", "]": "[", "}": "{"}


def trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets after a URL."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _BRACKETS and url.count(last) > url.count(_BRACKETS[last]):
            url = url[:-1]
        else:
            break
    return url


# Tesseract reads an "@" in small text as "(@" or "@)" now and then ("info(@StearnsDesignBuild.com")
_EMAIL_AS_READ = re.compile(EMAIL.pattern.replace("@(?:", r"(?:\(@|@\)?)(?:", 1))


# Tesseract reads the dot of a small "Lisa.Owen@" as a comma now and then: a word, a comma and no space before
# the local part is the first part of it
_COMMA_FOR_DOT = re.compile(r"(?<!\S)[A-Za-z0-9_%+-]+,\Z")


# words of a sentence that OCR glues to an address's top-level domain when it loses the space after a full
# stop or a link ("walsh.com.and we will reply"): none is a top-level domain
_GLUED_WORDS = frozenset(("and", "or", "the", "we", "our", "for", "with", "then", "but", "if", "call", "visit"))


def _unglued(address: str) -> str:
    """The address without a word of the sentence OCR glued to its top-level domain ("x@walsh.com.and")."""
    host = address.rsplit("@", 1)[1].split(".")
    if len(host) > 2 and host[-1].lower() in _GLUED_WORDS and host[-2].lower() in TLDS:
        return address[:-len(host[-1]) - 1]
    return address


def email_spans(text: str, element: int) -> List[Span]:
    """The e-mail addresses in one element's text; an "@" OCR read as "(@" or "@)" is read as "@", a
    comma OCR read for a dot in the local part ("Lisa,Owen@flhosp.org") as a dot, and a word of the
    sentence OCR glued on after the top-level domain ("walsh.com.and") is left out."""
    out: List[Span] = []
    for m in _EMAIL_AS_READ.finditer(text):
        start = m.start()
        read = m.group().replace("(@", "@").replace("@)", "@")
        address = _unglued(read)
        end = m.end() - (len(read) - len(address))  # the glued word is the end of what was matched
        before = _COMMA_FOR_DOT.search(text, 0, start) if start and text[start - 1] == "," else None
        if before:
            start = before.start()
            address = before.group()[:-1] + "." + address
        out.append((((element, start, end),), address, address, (), 0))
    return out


_EMAIL_WORD = re.compile(r"[A-Za-z0-9_%+@.-]+")  # a word that can be part of an e-mail address
_EMAIL_SEAM = (".", "-", "_")  # an address OCR split into words: a piece ends, or the next starts, with one


def _continues_host(word: str) -> bool:
    """Whether a word can follow a piece of a host that ends in a dot: a top-level domain ("vega." "com") or
    more of the host ("le." "org" is the first; "mail." "example.com"), not a word of the sentence ("and")."""
    word = trim_url(word)
    return word.lower() in TLDS or "." in word


def _takes_next(so_far: str, after: str) -> bool:
    """Whether the words of an address joined so far take the next word in (see split_email_spans)."""
    if after.startswith(_EMAIL_SEAM):
        return True
    if EMAIL.fullmatch(trim_url(so_far)):
        return False
    if so_far.endswith("."):
        return _continues_host(after)
    return so_far.endswith(("@", *_EMAIL_SEAM)) or "." not in so_far.split("@")[1] and "." not in after.rstrip(".")


def split_email_spans(element: Element, index: int) -> List[Span]:
    """E-mail addresses OCR split into words of one element ("stewartsteven" "@weber.net",
    "sales@thomas" "-group.net", "mhogan@henderson-" "vega." "com"), joined without spaces.

    From each word holding the "@": the word before is taken in when the word starts with "@" or the
    word before ends with one of _EMAIL_SEAM; the words after are taken in, one by one, while the
    next word starts with one, or the text so far is no whole address yet and either ends with one
    (a dot only before a top-level domain or more of the host: not "service@bruce-hernandez." "and", where
    OCR lost the "biz") or with the "@" ("hello" "@" "watts.com": OCR set the "@" of an underlined link
    apart) or has no dot in its host while the next word has none but at its end ("ashaw@examp" "le." "org";
    not "j@mail" "jordan.org", where OCR lost a dot that cannot be put back for sure, nor "j@x.com."
    "Then", a sentence going on). The joined text must be one whole e-mail address and come from
    two words or more; a word that is an address by itself is left as it is ("christina2"
    "5@monroe.com" stays "5@monroe.com": the space may be real), unless it starts with one of _EMAIL_SEAM
    after a word ("customer" "_service@imprint-e.com": a link's underline hid the "_"; no address starts so)."""
    spans = element.word_spans()
    if not spans:
        return []
    texts = [w.text for w in element.words]
    out = []
    for k, t in enumerate(texts):
        if t.count("@") != 1 or not _EMAIL_WORD.fullmatch(t):
            continue
        first = last = k
        alone = EMAIL.fullmatch(trim_url(t))  # an address by itself: joined only to a word it cannot start
        if first > 0 and _EMAIL_WORD.fullmatch(texts[first - 1]) and "@" not in texts[first - 1] and (
                t.startswith(_EMAIL_SEAM) if alone
                else t.startswith(("@", *_EMAIL_SEAM)) or texts[first - 1].endswith(_EMAIL_SEAM)):
            first -= 1
        if first == k and alone:
            continue
        while last + 1 < len(texts) and _EMAIL_WORD.fullmatch(texts[last + 1]) and "@" not in texts[last + 1]:
            if _takes_next("".join(texts[first:last + 1]), texts[last + 1]):
                last += 1
            else:
                break
        whole = "".join(texts[first:last + 1])
        joined = trim_url(whole)  # sentence punctuation after the address is not part of it
        if last > first and EMAIL.fullmatch(joined):
            start, end = spans[first][0], spans[last][1] - (len(whole) - len(joined))
            out.append((((index, start, end),), joined, joined, (), 0))
    return out


# at the end of the text, a word with an "@" and no dot after it, then a space: an e-mail address OCR split in its
# host ("admin@stephens-crai ", "@reynolds- "; a word starting with the "@" only when it ends in a hyphen)
_UNFINISHED_EMAIL = re.compile(r"(?:\S@[^\s.@]*|@[^\s.@]*-)\s+$")
_WW_HOST = re.compile(r"^(https?://|ftp://)?ww\.", re.IGNORECASE)  # "www." with one "w" lost (Tesseract, monospace)


def url_value(url: str, scheme: bool) -> str:
    """A URL as a detection's value: "https://" before a bare domain, a host OCR read as "ww.x" as "www.x"."""
    value = url if scheme else "https://" + url
    return _WW_HOST.sub(lambda m: (m.group(1) or "") + "www.", value, count=1)


def uri_spans(text: str, element: int) -> List[Span]:
    """The URLs in one element's text: with a scheme, or bare (www.x, example.org/path); value with https://.
    A URL with a scheme that OCR split after a dot ("https://ww." "shelton.biz") is joined with the word
    after it when that word holds a dot and nothing but host and path characters; an unbalanced "(" OCR
    read right after the scheme ("https://(www.banks.org") is dropped; a bare domain right after a word with an
    "@" and no dot after it is the rest of an e-mail address OCR split ("admin@stephens-crai g.org"): no URL."""
    out: List[Span] = []
    for pattern, scheme in ((_SCHEME_URL, True), (_BARE_URL, False)):
        for m in pattern.finditer(text):
            url = trim_url(m.group())
            if not url or (scheme and url.endswith("://")):
                continue
            if not scheme and _UNFINISHED_EMAIL.search(text, 0, m.start()):
                continue  # the rest of an e-mail address OCR split: "admin@stephens-crai g.org" has no link
            rest = _SPLIT_HOST.match(text, m.end()) if scheme and m.group().endswith(".") else None
            if rest and "." in trim_url(rest.group(1)):
                url = m.group() + trim_url(rest.group(1))
                value = url_value(url, scheme)
                start = m.start()
                out.append((((element, start, rest.start(1) + len(trim_url(rest.group(1)))),), url, value, (), 0))
                continue
            end = m.start() + len(url)
            if scheme and "://(" in url and ")" not in url.split("://(", 1)[1]:
                url = url.replace("://(", "://", 1)  # Tesseract read a "(" into "https://(www.x.org": no URL has one there
            value = url_value(url, scheme)
            out.append((((element, m.start(), end),), url, value, (), 0))
    return out
