"""The search index in this process (site/searchindex.py): how text is cut into n-grams, the
hash the browser uses, the page text taken from HTML, the postings, shards and manifest, and
the query side on an index written to a folder. Expected grams, hashes and results are
worked out by hand; the index of whole builds is tested in test_site_pages.py and
test_missed_bugs.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from generator.site import searchindex
from generator.site.searchindex import (
    Doc,
    Hit,
    build,
    candidates,
    doc_file,
    fnv1a,
    html_text,
    index_grams,
    join,
    matches,
    normalize,
    postings_of,
    query,
    query_grams,
    runs,
)


def reference_fnv1a(text: str) -> int:
    """32-bit FNV-1a over UTF-16 code units, written the way search.js does it."""
    h = 2166136261
    units = text.encode("utf-16-be")
    for i in range(0, len(units), 2):
        h ^= int.from_bytes(units[i:i + 2], "big")
        h = (h * 16777619) % 2**32
    return h


# ---------------------------------------------------------------- cutting text

def test_normalize_and_runs() -> None:
    assert normalize("ＡＢＣ１２３ Ｘ") == "abc123 x"
    assert runs("党建Ａbc，12示范 x-y 㐀豈") == ["党建", "abc", "12", "示范", "x", "y", "㐀豈"]
    assert runs("。，！ ") == []
    assert runs("abc党建") == ["abc", "党建"]


def test_index_grams() -> None:
    assert index_grams("党建Ａbc 12 党建示范 x") == {
        "党", "建", "示", "范", "党建", "建示", "示范", "党建示", "建示范", "abc", "12", "x"}
    assert index_grams("") == set()
    assert index_grams("党") == {"党"}
    assert index_grams("党建") == {"党", "建", "党建"}
    assert index_grams("一二三四") == {"一", "二", "三", "四", "一二", "二三", "三四", "一二三", "二三四"}


@pytest.mark.parametrize(("q", "grams"), [
    ("党建示范点 ABC 党 示范", ["党建示", "建示范", "示范点", "abc", "党", "示范"]),
    ("示范", ["示范"]), ("党", ["党"]), ("一二三", ["一二三"]), ("一二三一二三", ["一二三", "二三一", "三一二"]),
    ("", []), ("！？", []), ("abc abc", ["abc"]), ("Ｘ1", ["x1"])])
def test_query_grams(q: str, grams: list[str]) -> None:
    assert query_grams(q) == grams


def test_every_query_gram_of_a_text_is_indexed() -> None:
    text = "中共城南区桃花镇桃花村委员会 Party2025 党员积分制"
    for q in ("桃花村", "城南", "积分制", "party2025", "员积", "花镇桃花"):
        assert set(query_grams(q)) <= index_grams(text), q


@pytest.mark.parametrize("text", ["", "a", "ab", "党", "党建", "示范点", "𠀀", "a𠀀党", "Ａ"])
def test_fnv1a_matches_the_browsers_hash(text: str) -> None:
    assert fnv1a(text) == reference_fnv1a(text)


def test_fnv1a_known_values() -> None:
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C  # the published FNV-1a test vector for "a"
    assert fnv1a("foobar") == 0xBF9CF968  # and for "foobar"
    assert 0 <= fnv1a("党建" * 50) < 2**32


# ---------------------------------------------------------------- page text

def test_html_text() -> None:
    fragment = ('<p>第一段</p><h2 id="x">主要<b>做法</b><a class="headerlink" href="#x">¶</a></h2>'
                "<p>村里&amp;社区</p><script>var x = 1;</script><STYLE>p{}</STYLE>"
                "<svg><text>图</text></svg><template>t</template>"
                "<!-- sc:noindex --><article>别的页面</article><!-- /sc:noindex -->"
                '<nav class="md-tags md-x"><a>标签</a></nav><ul><li>甲</li><li>乙</li></ul>'
                "<td>格</td><br>末<h6>六</h6>尾")
    assert html_text(fragment) == "第一段 【主要做法】 村里&社区 甲 乙 格 末 【六】 尾"


def test_html_text_headings_and_spaces() -> None:
    assert html_text("<H3 class='a'>标题</H3>正文") == "【标题】 正文"
    assert html_text("<h2></h2>正文") == "正文"
    assert html_text("<h1>大标题</h1>正文") == "大标题 正文"
    assert html_text("  a\n\n\t b  ") == "a b"
    assert html_text("a<span>b</span>c") == "abc"
    assert html_text("<hr>x<header>y</header>") == "x y"
    assert html_text("<h2>a</h2><h2>b</h2>") == "【a】 【b】"


# ---------------------------------------------------------------- postings and files

DOCS = [Doc("sites/a/", "桃花村", "党员积分制管理 2025", "提高阶段 城南区"),
        Doc("sites/b/", "红旗村", "桃花村的邻居", ""),
        Doc("experiences/c/", "积分制经验", "x" * 10, "")]


def test_postings_and_titles() -> None:
    postings, titles = postings_of(DOCS)
    assert postings["桃花村"] == [0, 1] and titles["桃花村"] == [0]
    assert postings["积分制"] == [0, 2] and titles["积分制"] == [2]
    assert postings["城南"] == [0] and "城南" not in titles  # the metadata line is found
    assert postings["2025"] == [0]
    assert postings["x" * 10] == [2]
    assert titles["经验"] == [2]
    more, more_titles = postings_of(DOCS[:1], first=7)
    assert more["桃花村"] == [7] and more_titles["桃花村"] == [7]
    joined, joined_titles = join([postings_of(DOCS[:2]), postings_of(DOCS[2:], first=2)])
    assert (joined, joined_titles) == (postings, titles)
    assert join([]) == ({}, {})


def test_encode_and_decode() -> None:
    assert searchindex._encode([2, 3, 7, 20]) == [2, 1, 4, 13]
    assert searchindex._decode([2, 1, 4, 13]) == [2, 3, 7, 20]
    assert searchindex._encode([]) == [] and searchindex._decode([]) == []


def test_doc_files() -> None:
    assert json.loads(doc_file(DOCS[0])) == {"t": "桃花村", "u": "sites/a/", "x": "党员积分制管理 2025",
                                            "m": "提高阶段 城南区"}
    assert doc_file(DOCS[1]) == '{"t":"红旗村","u":"sites/b/","x":"桃花村的邻居"}'.encode()
    long = Doc("p/", "长", "甲" * (searchindex.MAX_TEXT_CHARS + 1))
    stored = json.loads(doc_file(long))
    assert stored["c"] == 1 and stored["x"] == "甲" * searchindex.MAX_TEXT_CHARS
    exact = json.loads(doc_file(Doc("p/", "长", "甲" * searchindex.MAX_TEXT_CHARS)))
    assert "c" not in exact
    assert list(searchindex.doc_files(DOCS[:2], first=5)) == ["search/d/5.json", "search/d/6.json"]
    assert searchindex.fingerprint(b"x") == hashlib.sha256(b"x").digest()


def test_index_files_shards_and_manifest() -> None:
    files = build(DOCS)
    manifest = json.loads(files["search/manifest.json"])
    assert manifest["v"] == 1 and manifest["shards"] == 16 and manifest["docs"] == 3
    assert len(manifest["id"]) == 12
    assert sorted(p for p in files if p.startswith("search/i/")) == sorted(
        f"search/i/{i}.json" for i in range(16))
    assert sorted(p for p in files if p.startswith("search/d/")) == [
        "search/d/0.json", "search/d/1.json", "search/d/2.json"]
    shard = json.loads(files[f"search/i/{fnv1a('桃花村') % 16}.json"])
    assert shard["桃花村"] == [0, 1] and shard["^桃花村"] == [0]
    shard = json.loads(files[f"search/i/{fnv1a('积分制') % 16}.json"])
    assert shard["积分制"] == [0, 2] and shard["^积分制"] == [2]
    # sorted grams in each shard, compact UTF-8 JSON
    for path, content in files.items():
        if path.startswith("search/i/"):
            keys = [k for k in json.loads(content) if not k.startswith("^")]
            assert keys == sorted(keys)
            assert b": " not in content and b", " not in content
    # the manifest's id changes with any file
    again = build(DOCS)
    assert again == files
    other = build([*DOCS[:2], Doc("experiences/c/", "积分制经验", "y" * 10, "")])
    assert json.loads(other["search/manifest.json"])["id"] != manifest["id"]
    expected = hashlib.sha256()
    for path in sorted(p for p in files if p != "search/manifest.json"):
        expected.update(path.encode())
        expected.update(hashlib.sha256(files[path]).digest())
    assert manifest["id"] == expected.hexdigest()[:12]


def test_index_files_grow_the_number_of_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    postings = {"ab": [0, 1], "c": [2]}  # (2·3 + 4 + 4) + (3 + 2 + 4) = 23 "bytes"
    for target, shards in ((23 / 16, 16), (23 / 16 - 0.01, 32), (23 / 64, 64), (0.0001, 65536)):
        monkeypatch.setattr(searchindex, "TARGET_SHARD_BYTES", target)
        files = searchindex.index_files((postings, {}), 3, {})
        assert json.loads(files["search/manifest.json"])["shards"] == shards, target
        assert len(files) == shards + 1


# ---------------------------------------------------------------- the query side

def written(tmp_path: Path, docs: list[Doc]) -> Path:
    for path, content in build(docs).items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return tmp_path / "search"


def test_query_ranks_title_matches_first_and_confirms(tmp_path: Path) -> None:
    index = written(tmp_path, DOCS)
    assert list(query(index, "桃花村")) == [Hit(0, "sites/a/", "桃花村", True),
                                            Hit(1, "sites/b/", "红旗村", True)]
    assert [h.number for h in query(index, "积分制")] == [2, 0]
    assert [h.number for h in query(index, "城南区")] == [0]  # found in the metadata line
    assert [h.number for h in query(index, "积分 2025")] == [0]
    assert list(query(index, "火星")) == []
    assert list(query(index, "。")) == []
    assert [h.confirmed for h in query(index, "积分制", limit=1)] == [True, False]
    assert [h.confirmed for h in query(index, "积分制", limit=0)] == [False, False]
    # by default the first ten are confirmed against their text, the rest are left unconfirmed
    many = written(tmp_path / "many", [Doc(f"p{i}/", f"页{i}", "示范点") for i in range(12)])
    assert [h.confirmed for h in query(many, "示范点")] == [True] * 10 + [False] * 2


def test_candidates_read_only_the_shards_of_the_query(tmp_path: Path) -> None:
    index = written(tmp_path, DOCS)
    numbers, files = candidates(index, "桃花村")
    assert numbers == [0, 1] and files == [f"i/{fnv1a('桃花村') % 16}.json"]
    numbers, files = candidates(index, "积分制 2025")
    assert numbers == [0]
    assert files == list(dict.fromkeys([f"i/{fnv1a('积分制') % 16}.json", f"i/{fnv1a('2025') % 16}.json"]))
    assert candidates(index, "") == ([], [])
    # pages with every gram in the title come first, then the rest, each in page order
    docs = [Doc("a/", "甲", "示范点"), Doc("b/", "示范点", ""), Doc("c/", "乙", "示范点"),
            Doc("d/", "示范点 二", "")]
    index = written(tmp_path / "2", docs)
    assert candidates(index, "示范点")[0] == [1, 3, 0, 2]
    assert candidates(index, "示范点 二")[0] == [3]


def test_a_gram_that_no_page_has_empties_the_result(tmp_path: Path) -> None:
    index = written(tmp_path, DOCS)
    assert candidates(index, "桃花村 火星")[0] == []
    assert candidates(index, "火星 桃花村")[0] == []


def test_matches_and_cut_texts(tmp_path: Path) -> None:
    assert matches("党员积分制管理", "积分 管理")
    assert not matches("党员积分制管理", "积分 考核")
    assert matches("ＡＢＣ 党建", "abc")
    assert matches("无关", "积分", cut=True)
    text = "甲" * searchindex.MAX_TEXT_CHARS + "火星村"
    index = written(tmp_path, [Doc("p/", "长页", text)])
    assert list(query(index, "火星村")) == [Hit(0, "p/", "长页", True)]
    # the title and metadata take part in the confirmation
    index = written(tmp_path / "m", [Doc("q/", "标题词", "正文", "元信息")])
    assert [h.confirmed for h in query(index, "标题词 元信息")] == [True]
