// The text editor of the preview (/admin/fix.html#<file>): for a file the forms cannot open
// (a YAML syntax error, a merge conflict). It uses the editor's own local backend: the same
// checks before saving, the same check of the file after it.
(function () {
  "use strict";
  var path = decodeURIComponent(location.hash.slice(1));
  var text = document.getElementById("fix-text");
  var save = document.getElementById("fix-save");
  var result = document.getElementById("fix-result");
  document.getElementById("fix-file").textContent = path || "（未指定）";

  function post(url, body) {
    return fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                       body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); });
  }
  function say(message, ok) {
    result.textContent = "";
    var p = document.createElement("p");
    p.textContent = message;
    if (ok) p.className = "sc-errors__ok";
    result.appendChild(p);
    return p;
  }
  if (!path) { say("没有指定要修改的文件。请从预览的错误清单中点“修改原文”。"); return; }

  post("/admin/api/v1", {action: "getEntry", params: {path: path}}).then(function (r) {
    if (!r.ok) { say(r.body.error || "无法打开这个文件。"); return; }
    text.value = r.body.data === null ? "" : r.body.data;
    text.disabled = false;
    save.disabled = false;
    text.focus();
  }, function () { say("无法连接预览服务：请确认 showcase serve 仍在运行。"); });

  save.addEventListener("click", function () {
    save.disabled = true;
    say("正在保存……");
    post("/admin/api/v1", {action: "persistEntry",
                           params: {dataFiles: [{path: path, raw: text.value}], assets: []}})
      .then(function (r) {
        if (!r.ok) { say(r.body.error || "没有保存。"); return; }
        return post("/admin/api/check", {path: path}).then(function (c) {
          var problems = (c.body && c.body.problems) || [];
          if (!problems.length) {
            say("已保存，这个文件没有发现问题。预览会自动更新。", true);
            return;
          }
          say("已保存。这个文件还有 " + problems.length + " 个问题：");
          var list = document.createElement("ol");
          problems.forEach(function (p) {
            var li = document.createElement("li");
            li.textContent = "第 " + p.line + " 行第 " + p.col + " 列" +
              (p.field ? "（" + p.field + "）" : "") + "：" + p.message;
            list.appendChild(li);
          });
          result.appendChild(list);
        });
      }, function () { say("无法连接预览服务：请确认 showcase serve 仍在运行。"); })
      .then(function () { save.disabled = false; });
  });
})();
