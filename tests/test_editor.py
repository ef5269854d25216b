"""The browser editor (/admin/, Decap CMS): its configuration follows the models, what its
file format writes the validator reads back to the same records, the local backend writes
nowhere but the data folder and only for the editor's own page, and the public build has no
trace of it."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import typing
from pathlib import Path
from typing import Any, Literal

import pytest
from conftest import REPO, run_showcase
from PIL import Image
from pydantic import BaseModel

from generator.data import loader
from generator.engines import editor_server
from generator.engines.editor_backend import API, CHECK, Backend, Refused
from generator.engines.editor_server import Routes
from generator.model.records import Compilation, Experience, Plan, Program, Site, Taxonomy
from generator.staff import cms

SAMPLE = REPO / "sites_data"
AS_OF = "2026-11-28"


# ---------------------------------------------------------------- the configuration

def _collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in config["collections"] if c["name"] == name)


def _fields_of(collection: dict[str, Any]) -> list[dict[str, Any]]:
    if "files" in collection:
        return list(collection["files"][0]["fields"])
    return [f for f in collection["fields"] if f["name"] != "id"]


def _inner_model(annotation: Any) -> Any:
    annotation, _ = cms._strip_optional(annotation)
    annotation = cms._base(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        return _inner_model(typing.get_args(annotation)[0])
    if origin is dict:
        return _inner_model(typing.get_args(annotation)[1])
    return annotation


def _compare(model: type[BaseModel], fields: list[dict[str, Any]], where: str,
             optional_group: bool = False) -> list[str]:
    """Every field of ``model`` in the form, in order, with its title, help, required flag
    (inside an optional group nothing is required) and allowed values; nested models
    likewise. Returns what differs."""
    wrong: list[str] = []
    by_name = {f["name"]: f for f in fields if f["name"] != "key"}
    if list(by_name) != list(model.model_fields):
        wrong.append(f"{where}: fields {list(by_name)} != model {list(model.model_fields)}")
    for name, info in model.model_fields.items():
        f = by_name.get(name)
        if f is None:
            continue
        here = f"{where}.{name}"
        if f["label"] != info.title:
            wrong.append(f"{here}: label {f['label']!r} != title {info.title!r}")
        # REQUIRED_IN_FORM: optional in the format, required for what is published.
        required = (info.is_required() or (model.__name__, name) in cms.REQUIRED_IN_FORM) \
            and not optional_group
        if f["required"] != required:
            wrong.append(f"{here}: required {f['required']} != {required}")
        if f["widget"] not in ("relation", "image") and info.description and f.get("hint") != info.description:
            wrong.append(f"{here}: hint {f.get('hint')!r} != description {info.description!r}")
        inner = _inner_model(info.annotation)
        if typing.get_origin(inner) is Literal:
            values = [o["value"] for o in f["options"]]
            if values != list(typing.get_args(inner)):
                wrong.append(f"{here}: options {values} != {typing.get_args(inner)}")
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            group = f["widget"] == "object" and (optional_group or not info.is_required())
            wrong += _compare(inner, f["fields"], here, group)
    return wrong


def test_the_forms_follow_the_models() -> None:
    """Fails when a model gains, loses or renames a field, changes a title, help text,
    required flag or allowed value, and the generated configuration does not follow."""
    config, _ = cms.build_config()
    models: dict[str, type[BaseModel]] = {"sites": Site, "experiences": Experience,
                                          "plans": Plan, "compilations": Compilation,
                                          "program": Program, "taxonomy": Taxonomy}
    wrong: list[str] = []
    for name, model in models.items():
        wrong += _compare(model, _fields_of(_collection(config, name)), name)
    assert wrong == []
    assert config["locale"] == "zh_Hans"


def test_the_forms_use_the_widgets_the_records_need() -> None:
    config, shapes = cms.build_config()
    sites = {f["name"]: f for f in _collection(config, "sites")["fields"]}
    assert sites["id"]["widget"] == "showcase-id"
    assert sites["category"]["widget"] == "relation"
    assert sites["category"]["value_field"] == "categories.*.key"
    assert sites["unit"]["widget"] == "relation"
    assert sites["profile"]["widget"] == "markdown"
    evaluations = sites["evaluations"]
    assert evaluations["widget"] == "list"
    result = next(f for f in evaluations["fields"] if f["name"] == "result")
    assert result["widget"] == "select"
    assert {o["value"] for o in result["options"]} == {"excellent", "pass", "fail"}
    assert sites["archive"]["widget"] == "list" and sites["plan"]["widget"] == "object"
    assert {f["name"] for f in sites["contacts"]["fields"]} == {"leader", "supervisor", "liaison"}
    photo = next(f for f in sites["photos"]["fields"] if f["name"] == "file")
    assert photo["widget"] == "image"
    assert _collection(config, "sites")["media_folder"] == "/sites_data/media/photos"
    assert _collection(config, "sites")["public_folder"] == "photos"
    experiences = {f["name"]: f for f in _collection(config, "experiences")["fields"]}
    assert experiences["sites"]["widget"] == "relation"
    assert experiences["sites"]["collection"] == "sites"
    assert experiences["sites"]["value_field"] == "{{filename}}"
    assert experiences["sites"]["multiple"] is True
    assert experiences["body"]["widget"] == "markdown"
    assert shapes["taxonomy"]["maps"] == {"categories": "model", "units": "model",
                                          "themes": "model"}
    assert shapes["plans"]["maps"] == {"targets.by_category": "value"}
    assert shapes["sites"]["yaml"] == ["internal"]


def test_team_mode_uses_the_configured_gitlab_with_merge_requests() -> None:
    backend = cms.Backend.from_settings({"backend": "gitlab", "repo": "zzb/showcase",
                                         "base_url": "https://git.example.cn/",
                                         "app_id": "abc123"})
    assert backend is not None
    config, _ = cms.build_config("sites_data", backend)
    assert config["publish_mode"] == "editorial_workflow"
    assert config["backend"]["name"] == "gitlab"
    assert config["backend"]["api_root"] == "https://git.example.cn/api/v4"
    assert config["backend"]["auth_type"] == "pkce"
    with pytest.raises(cms.SettingsError, match="缺少 repo"):
        cms.Backend.from_settings({"backend": "gitlab", "base_url": "x", "app_id": "y"})


# ---------------------------------------------------------------- the local backend

@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "sites_data")
    return root


def test_the_backend_refuses_paths_outside_the_data_folder(project: Path) -> None:
    backend = Backend(project / "sites_data")
    (project / "secret.yml").write_text("a: b\n", encoding="utf-8")
    (project / "sites_data" / "link.yml").symlink_to(project / "secret.yml")
    for bad in ("../secret.yml", "sites_data/../secret.yml", "/etc/passwd", "secret.yml",
                "sites_data/link.yml", "sites_data\\..\\secret.yml", "sites_data//x.yml",
                "sites_data/./x.yml", "C:/x.yml", "", None, 3):
        with pytest.raises(Refused) as refused:
            backend.handle({"action": "getEntry", "params": {"path": bad}})
        assert refused.value.status == 403, bad
        with pytest.raises(Refused):
            backend.handle({"action": "persistEntry", "params": {
                "dataFiles": [{"path": bad, "raw": "name: x\n"}], "assets": []}})
    with pytest.raises(Refused, match=r"只能保存 \.yml 记录文件"):
        backend.handle({"action": "persistEntry", "params": {
            "dataFiles": [{"path": "sites_data/sites/x.html", "raw": "<script>"}],
            "assets": []}})
    with pytest.raises(Refused, match="照片只能是"):
        backend.handle({"action": "persistMedia", "params": {"asset": {
            "path": "sites_data/sites/evil.yml", "content": "eDogeQo=", "encoding": "base64"}}})
    with pytest.raises(Refused, match="照片只能是"):
        backend.handle({"action": "persistMedia", "params": {"asset": {
            "path": "sites_data/media/photos/x.svg", "content": "eDogeQo=",
            "encoding": "base64"}}})
    # a listing never leaves the folder either
    with pytest.raises(Refused):
        backend.handle({"action": "entriesByFolder",
                        "params": {"folder": "..", "extension": "yml", "depth": 3}})
    assert (project / "secret.yml").read_text(encoding="utf-8") == "a: b\n"


def test_the_backend_speaks_decaps_proxy_protocol(project: Path) -> None:
    backend = Backend(project / "sites_data")
    info = backend.handle({"action": "info"})
    assert info["publish_modes"] == ["simple"] and isinstance(info["repo"], str)
    entries = backend.handle({"action": "entriesByFolder", "params": {
        "folder": "sites_data/sites", "extension": "yml", "depth": 2}})
    paths = {e["file"]["path"] for e in entries}
    assert "sites_data/sites/2026/anxiang-anquan-diwan-cun.yml" in paths
    assert all(e["data"] and e["file"]["id"] for e in entries)
    raw = "name: 测试\n"
    png = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(png, "PNG")
    backend.handle({"action": "persistEntry", "params": {
        "dataFiles": [{"path": "sites_data/sites/2026/ceshi.yml", "raw": raw, "slug": "x"}],
        "assets": [{"path": "sites_data/media/photos/ceshi.png", "encoding": "base64",
                    "content": base64.b64encode(png.getvalue()).decode()}]}})
    assert (project / "sites_data/sites/2026/ceshi.yml").read_text(encoding="utf-8") == raw
    assert (project / "sites_data/media/photos/ceshi.png").read_bytes() == png.getvalue()
    with pytest.raises(Refused, match="无法读取"):  # never writes a file the reader rejects
        backend.handle({"action": "persistEntry", "params": {
            "dataFiles": [{"path": "sites_data/sites/2026/ceshi.yml", "raw": "a: [b\n"}],
            "assets": []}})
    assert (project / "sites_data/sites/2026/ceshi.yml").read_text(encoding="utf-8") == raw
    media = backend.handle({"action": "getMedia", "params": {
        "mediaFolder": "sites_data/media/photos"}})
    assert "ceshi.png" in {m["name"] for m in media}


def test_the_check_after_a_save_names_the_field_in_chinese(project: Path) -> None:
    site = project / "sites_data/sites/2026/anxiang-anquan-diwan-cun.yml"
    text = site.read_text(encoding="utf-8")
    assert "evaluations:" not in text
    site.write_text(text + "evaluations:\n  - year: 2026\n    result: 很好\n", encoding="utf-8")
    result = Backend(project / "sites_data").check("sites_data/sites/2026/anxiang-anquan-diwan-cun.yml")
    assert result["file"] == "sites_data/sites/2026/anxiang-anquan-diwan-cun.yml"
    assert result["id"] == "anxiang-anquan-diwan-cun"
    fields = [p["field"] for p in result["problems"]]
    assert "考评记录 › 第 1 项 › 考评结果" in fields, result
    clean = Backend(project / "sites_data").check("sites_data/sites/2026/anxiang-huxiang-nongchanpin.yml")
    assert clean["problems"] == []


def _environ(body: Any, *, origin: str | None = "http://127.0.0.1:8000",
             host: str = "127.0.0.1:8000", remote: str = "127.0.0.1", path: str = API,
             method: str = "POST", ctype: str = "application/json") -> dict[str, Any]:
    raw = json.dumps(body).encode("utf-8")
    env = {"PATH_INFO": path, "REQUEST_METHOD": method, "CONTENT_TYPE": ctype,
           "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw),
           "HTTP_HOST": host, "REMOTE_ADDR": remote}
    if origin is not None:
        env["HTTP_ORIGIN"] = origin
    return env


def _call(routes: Routes, environ: dict[str, Any]) -> tuple[str, Any]:
    seen: list[str] = []
    body = b"".join(routes(environ, lambda status, headers: seen.append(status)))
    return seen[0], json.loads(body) if body.startswith((b"{", b"[")) else body


def test_the_save_endpoint_refuses_other_origins_and_hosts(project: Path) -> None:
    routes = Routes(project / "sites_data", project, "127.0.0.1", 8000)
    write = {"action": "persistEntry", "params": {
        "dataFiles": [{"path": "sites_data/sites/2026/evil.yml", "raw": "name: x\n"}],
        "assets": []}}
    refused = [
        _environ(write, origin="http://evil.example"),             # another web page
        _environ(write, origin=None),                              # no origin at all
        _environ(write, origin="null"),                            # sandboxed/file page
        _environ(write, origin="http://127.0.0.1:9999"),           # another local server
        _environ(write, host="evil.example:8000",
                 origin="http://evil.example:8000"),               # DNS rebinding
        _environ(write, remote="192.168.1.20"),                    # another machine
        _environ(write, method="GET"),
        _environ(write, ctype="text/plain"),                       # a "simple" CORS request
    ]
    for environ in refused:
        status, answer = _call(routes, environ)
        assert status.startswith(("403", "405", "400")), (status, environ)
        assert "error" in answer
    assert not (project / "sites_data/sites/2026/evil.yml").exists()
    status, answer = _call(routes, _environ(write))
    assert status == "200 OK", answer
    assert (project / "sites_data/sites/2026/evil.yml").exists()
    status, answer = _call(routes, _environ({"path": "sites_data/sites/2026/evil.yml"},
                                            path=CHECK))
    assert status == "200 OK" and answer["problems"], answer
    # A preview listening on every address (--dev-addr 0.0.0.0:8000) never saves.
    lan = Routes(project / "sites_data", project, "0.0.0.0", 8000)
    status, answer = _call(lan, _environ(write))
    assert status.startswith("403") and "127.0.0.1" in answer["error"]


def test_the_editor_page_is_served_with_its_configuration(project: Path) -> None:
    routes = Routes(project / "sites_data", project, "127.0.0.1", 8000)
    seen: list[str] = []
    page = b"".join(routes(_environ({}, path="/admin/", method="GET"),
                           lambda s, h: seen.append(s)))
    assert seen == ["200 OK"] and "zh-CN" in page.decode("utf-8")
    assert b'"local": true' in page
    config = b"".join(routes(_environ({}, path="/admin/config.yml", method="GET"),
                             lambda s, h: None)).decode("utf-8")
    assert '"zh_Hans"' in config and '"sites_data/sites"' in config
    status, _ = _call(routes, _environ({}, path="/admin/vendor/../../sites_data/program.yml",
                                       method="GET"))
    assert status.startswith("404")


# ---------------------------------------------------------------- builds

def test_the_public_build_has_no_editor_and_the_internal_build_has(tmp_path: Path) -> None:
    for audience in ("public", "internal"):
        out = tmp_path / audience
        result = run_showcase("build", "--no-pdf", "--as-of", AS_OF, "--audience", audience,
                              "--out", str(out), timeout=300)
        assert result.returncode == 0, result.stderr
        files = [p for p in out.rglob("*") if p.is_file()]
        editor = [p for p in files if "admin" in p.relative_to(out).parts
                  or "decap" in p.name or "showcase-cms" in p.name]
        texts = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in files
                        if p.suffix in (".html", ".xml", ".json", ".txt")
                        and "admin" not in p.relative_to(out).parts)
        if audience == "public":
            assert editor == []
            assert "/admin/" not in texts and "decap" not in texts.lower()
        else:
            assert (out / "admin" / "index.html").is_file()
            page = (out / "admin" / "index.html").read_text(encoding="utf-8")
            # the editor's page runs our files only: no CDN, no record data inlined
            assert re.findall(r'<script src="([^"]+)"', page) == [
                "vendor/js-yaml.min.js", "vendor/decap-cms.js", "showcase-cms.js"]
            assert "http" not in page.replace("http://127.0.0.1:8000/admin/", "")
            assert "内部资料" in page
            assert (out / "admin" / "config.yml").is_file()
            if editor_server.vendor_files(REPO):
                assert (out / "admin" / "vendor" / "decap-cms.js").is_file()
            assert "/admin/" not in (out / "sitemap.xml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the round trip

def test_what_the_editor_saves_loads_to_the_same_records(tmp_path: Path) -> None:
    """Every sample record, read and written by the editor's file format (in Chromium, with
    the real js-yaml), loads to the same model, and the data stays valid."""
    from browser_support import CHROMIUM, LAUNCH_ARGS, require_chromium
    from playwright.sync_api import sync_playwright

    require_chromium()
    vendor = editor_server.vendor_files(REPO)
    if "js-yaml.min.js" not in vendor:
        pytest.skip("the editor's JavaScript is not installed (scripts/setup.sh)")
    copy = tmp_path / "sites_data"
    shutil.copytree(SAMPLE, copy)
    files = cms.editor_files("sites_data", local=False)
    settings = files["index.html"].decode("utf-8").split("window.SHOWCASE = ", 1)[1]
    settings = settings.split(";</script>", 1)[0]
    kinds = {"sites": "sites", "experiences": "experiences", "plans": "plans",
             "compilations": "compilations"}
    records = [(p, kinds[p.relative_to(copy).parts[0]]) for p in sorted(copy.rglob("*.yml"))
               if p.relative_to(copy).parts[0] in kinds]
    records += [(copy / "program.yml", "program"), (copy / "taxonomy.yml", "taxonomy")]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=f"window.SHOWCASE = {settings};"
                            "window.CMS = {registerCustomFormat(){}, registerWidget(){},"
                            "registerEventListener(){}, init(){}};")
        page.add_script_tag(content=vendor["js-yaml.min.js"].read_text(encoding="utf-8"))
        page.add_script_tag(content=files["showcase-cms.js"].decode("utf-8"))
        for path, kind in records:
            text = path.read_text(encoding="utf-8-sig")
            saved = page.evaluate(
                "([kind, text]) => showcaseFormat.toFile(kind, showcaseFormat.fromFile(kind, text))",
                [kind, text])
            path.write_text(saved, encoding="utf-8")
        browser.close()
    before = loader.load(SAMPLE)
    after = loader.load(copy)
    assert after.errors == [], "\n".join(map(str, after.errors))
    assert after.program == before.program and after.taxonomy == before.taxonomy
    for kind in ("sites", "experiences", "plans", "compilations"):
        old, new = getattr(before, kind), getattr(after, kind)
        assert new.keys() == old.keys()
        for ident in old:
            assert new[ident] == old[ident], f"{kind}/{ident}"
    assert len(records) > 40


# ---------------------------------------------------------------- the pinned JavaScript

def _fetch_script() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("fetch_editor", REPO / "scripts" / "fetch-editor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_editor_javascript_is_the_pinned_version() -> None:
    fetch = _fetch_script()
    vendor = editor_server.vendor_dir(REPO)
    if not (vendor / "VERSION").is_file():
        pytest.skip("the editor's JavaScript is not installed (scripts/setup.sh)")
    assert (vendor / "VERSION").read_text().strip() == fetch.STAMP
    assert f"decap-cms@{cms.DECAP_VERSION} js-yaml@4.1.1" == fetch.STAMP


def test_a_tarball_with_the_wrong_hash_is_refused(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    fetch = _fetch_script()
    monkeypatch.setattr(fetch, "TARGET", tmp_path / "showcase-editor")
    monkeypatch.setattr(fetch.urllib.request, "urlopen",
                        lambda url, timeout: io.BytesIO(b"not the pinned tarball"))
    assert fetch.main() == 1
    assert "校验值不符" in capsys.readouterr().err
    assert not (tmp_path / "showcase-editor").exists()
    assert not (tmp_path / "showcase-editor.new").exists()
