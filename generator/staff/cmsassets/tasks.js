// The clerk's task pages of `showcase serve` (/admin/tasks.html, check.html, import.html,
// documents.html, records.html, save.html): each button posts to /admin/api/tasks/<name>
// (generator/engines/editor_tasks.py) and shows the Chinese answer. Files come back as
// downloads. No framework, nothing from outside this machine.
(function () {
  'use strict';
  var API = '/admin/api/tasks/';
  var task = document.body.getAttribute('data-task');

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function show(box, nodes) {
    box.replaceChildren.apply(box, nodes);
  }
  function message(box, text, kind) {
    show(box, text ? [el('p', text, kind ? 'sc-' + kind : '')] : []);
  }
  var OFFLINE = '无法连接预览服务：展示平台可能已经关闭。请重新双击“启动展示平台”，再刷新这一页。';

  // POST a task; resolves with {ok, status, body} (body: the JSON answer, or a Blob).
  function call(name, body) {
    return fetch(API + name, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {}),
    }).then(function (r) {
      var type = r.headers.get('Content-Type') || '';
      if (type.indexOf('application/json') === 0) {
        return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
      }
      return r.blob().then(function (b) {
        return { ok: r.ok, status: r.status, body: b, name: fileName(r) };
      });
    });
  }
  function fileName(response) {
    var header = response.headers.get('Content-Disposition') || '';
    var m = /filename\*=UTF-8''([^;]+)/.exec(header);
    return m ? decodeURIComponent(m[1]) : 'download';
  }
  function failed(box) {
    return function () { message(box, OFFLINE, 'bad'); };
  }
  function busy(button, on) {
    button.disabled = on;
    button.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  // A file answer becomes a download with its Chinese name.
  function download(name, body, button, box, doing) {
    busy(button, true);
    message(box, doing);
    return call(name, body).then(function (r) {
      if (!r.ok || !(r.body instanceof Blob)) {
        message(box, (r.body && r.body.error) || '没有生成文件。', 'bad');
        return;
      }
      var url = URL.createObjectURL(r.body);
      var a = el('a');
      a.href = url;
      a.download = r.name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      message(box, '已下载“' + r.name + '”：在浏览器的下载列表（或“下载”文件夹）中可以找到它。', 'ok');
    }, failed(box)).then(function () { busy(button, false); });
  }

  // ------------------------------------------------------------------ 常用操作
  function hub() {
    var box = $('sc-state');
    call('status').then(function (r) {
      if (!r.ok) return;
      var b = r.body;
      if (!b.repository) { message(box, b.reason, 'note'); return; }
      var parts = [];
      if (b.errors) parts.push('数据还有 ' + b.errors + ' 个错误，请先“检查数据”。');
      if (b.changes.length) parts.push('有 ' + b.changes.length + ' 个文件的修改还没有保存到版本库。');
      if (b.not_uploaded) parts.push('有 ' + b.not_uploaded + ' 次保存还没有上传到服务器。');
      if (parts.length) message(box, parts.join(''), 'note');
    }, function () {});
  }

  // ------------------------------------------------------------------ 检查数据
  function check() {
    var box = $('check-result');
    var button = $('check-run');
    function run() {
      busy(button, true);
      message(box, '正在检查……');
      call('check').then(function (r) {
        if (!r.ok) { message(box, r.body.error, 'bad'); return; }
        var b = r.body;
        var nodes = [el('p', b.summary, b.ok ? 'sc-ok' : 'sc-bad')];
        b.files.forEach(function (f) {
          var section = el('section', null, 'sc-file');
          var title = el('h2');
          title.appendChild(el('code', f.path));
          section.appendChild(title);
          var actions = el('p', null, 'sc-actions');
          if (f.link) {
            var a = el('a', f.link.label, 'sc-button');
            a.href = f.link.href;
            actions.appendChild(a);
          }
          if (actions.childNodes.length) section.appendChild(actions);
          var list = el('ol');
          f.problems.forEach(function (p) {
            var li = el('li', null, p.error ? '' : 'sc-warning');
            li.appendChild(el('strong', (p.error ? '' : '提醒：') + '第 ' + p.line + ' 行：'));
            li.appendChild(document.createTextNode(p.message));
            list.appendChild(li);
          });
          section.appendChild(list);
          nodes.push(section);
        });
        show(box, nodes);
      }, failed(box)).then(function () { busy(button, false); });
    }
    button.addEventListener('click', run);
    run();
  }

  // ------------------------------------------------------------------ 导入考评结果
  function importPage() {
    var input = $('import-file');
    var preview = $('import-preview');
    var apply = $('import-apply');
    var box = $('import-result');
    var done = $('import-done');
    var current = null;  // {name, content, digest}

    $('import-template').addEventListener('click', function () {
      download('template', {}, $('import-template'), done, '正在生成考评模板……');
    });
    input.addEventListener('change', function () {
      preview.disabled = !input.files.length;
      apply.hidden = true;
      current = null;
      if (input.files.length) preview.click();
    });
    preview.addEventListener('click', function () {
      var file = input.files[0];
      if (!file) return;
      busy(preview, true);
      apply.hidden = true;
      message(done, '');
      message(box, '正在读取“' + file.name + '”……');
      var reader = new FileReader();
      reader.onload = function () {
        var content = String(reader.result).split(',')[1] || '';
        current = { name: file.name, content: content };
        call('import', current).then(function (r) {
          showPreview(r);
        }, failed(box)).then(function () { busy(preview, false); });
      };
      reader.onerror = function () {
        message(box, '无法读取这个文件，请确认它没有被其他程序占用，再重新选择。', 'bad');
        busy(preview, false);
      };
      reader.readAsDataURL(file);
    });
    function showPreview(r) {
      if (!r.ok) { message(box, r.body.error, 'bad'); return; }
      var b = r.body;
      if (b.problems.length) {
        var nodes = [el('p', (b.bad_rows ? b.bad_rows + ' 行有问题（共 ' + b.rows + ' 行）' : '工作簿有问题') +
          '，没有导入任何内容。请在 Excel 或 WPS 中按提示改正（行号就是表格左边的行号），保存后重新选择文件。', 'sc-bad')];
        var list = el('ol');
        b.problems.forEach(function (p) {
          var li = el('li');
          li.appendChild(el('strong', '第 ' + p.row + ' 行：'));
          li.appendChild(document.createTextNode(p.message));
          list.appendChild(li);
        });
        nodes.push(list);
        show(box, nodes);
        return;
      }
      if (b.empty) { message(box, '“' + b.file + '”中没有填写任何考评结果（表头以下都是空行）。', 'bad'); return; }
      var out = [el('p', '预览：' + b.count + ' 条考评结果，涉及 ' + b.sites + ' 个示范点。数据还没有修改；核对无误后点“确认导入”。', 'sc-ok')];
      b.changes.forEach(function (c) {
        var table = el('table', null, 'sc-table');
        var caption = el('caption', c.name + '（' + c.id + '）：' + c.before + ' → ' + c.after +
          (c.due ? '，下次应考评年度 ' + c.due : ''));
        table.appendChild(caption);
        var head = el('tr');
        ['表格行', '年度', '考评日期', '结果', '得分', '考评人', '考评意见'].forEach(function (h) {
          var th = el('th', h);
          th.scope = 'col';
          head.appendChild(th);
        });
        var thead = el('thead');
        thead.appendChild(head);
        table.appendChild(thead);
        var tbody = el('tbody');
        c.rows.forEach(function (row) {
          var tr = el('tr');
          [row.row, row.year, row.date, row.result, row.score, row.evaluator, row.remarks].forEach(function (v) {
            tr.appendChild(el('td', String(v)));
          });
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        out.push(table);
      });
      show(box, out);
      current.digest = b.digest;
      apply.hidden = false;
    }
    apply.addEventListener('click', function () {
      if (!current || !current.digest) return;
      busy(apply, true);
      message(done, '正在导入……');
      call('import', { name: current.name, content: current.content, apply: true, expect: current.digest })
        .then(function (r) {
          if (!r.ok) { message(done, r.body.error, 'bad'); return; }
          apply.hidden = true;
          var p = el('p', '已导入 ' + r.body.count + ' 条考评结果（' + r.body.sites + ' 个示范点），数据检查通过。' +
            '下一步：', 'sc-ok');
          var a = el('a', '保存到版本库');
          a.href = 'save.html';
          p.appendChild(a);
          p.appendChild(document.createTextNode('。'));
          show(done, [p]);
        }, failed(done)).then(function () { busy(apply, false); });
    });
  }

  // ------------------------------------------------------------------ 导出与打印
  function documentsPage() {
    var select = $('compile-id');
    var note = $('compile-pdf-note');
    var run = $('compile-run');
    call('info').then(function (r) {
      if (!r.ok) { message($('compile-result'), r.body.error, 'bad'); return; }
      r.body.compilations.forEach(function (c) {
        var option = el('option', c.title + '（' + c.id + '）');
        option.value = c.id;
        select.appendChild(option);
      });
      if (!r.body.compilations.length) {
        run.disabled = true;
        message($('compile-result'), '还没有经验汇编：先在“编辑记录 › 经验汇编”中新建一本。', 'note');
      }
      if (r.body.pdf) {
        $('compile-pdf').disabled = true;
        $('compile-docx').checked = true;
        note.textContent = r.body.pdf;
        note.hidden = false;
      }
    }, failed($('compile-result')));
    $('export-run').addEventListener('click', function () {
      var audience = document.querySelector('input[name=export-audience]:checked').value;
      download('export', { audience: audience }, $('export-run'), $('export-result'), '正在导出工作簿……');
    });
    run.addEventListener('click', function () {
      var format = document.querySelector('input[name=compile-format]:checked').value;
      download('compile', { id: select.value, format: format }, run, $('compile-result'),
        format === 'pdf' ? '正在生成 PDF（一本汇编约需半分钟，请稍候）……' : '正在生成 Word 文件……');
    });
  }

  // ------------------------------------------------------------------ 删除或改名
  function recordsPage() {
    var kind = $('records-kind');
    var item = $('records-item');
    var info = $('records-info');
    var result = $('records-result');
    var records = {};
    function load(keep) {
      return call('records').then(function (r) {
        if (!r.ok) { message(info, r.body.error, 'bad'); return; }
        records = r.body.records;
        if (!kind.options.length) {
          r.body.kinds.forEach(function (k) {
            var o = el('option', k.label);
            o.value = k.kind;
            kind.appendChild(o);
          });
          var wanted = /kind=([a-z]+)/.exec(location.hash);
          if (wanted) kind.value = wanted[1];
        }
        fill(keep);
      }, failed(info));
    }
    function fill(keep) {
      item.replaceChildren();
      (records[kind.value] || []).forEach(function (rec) {
        var o = el('option', rec.title === rec.id ? rec.id : rec.title + '（' + rec.id + '）');
        o.value = rec.path;
        item.appendChild(o);
      });
      if (keep) item.value = keep;
      describe();
    }
    function chosen() {
      return (records[kind.value] || []).filter(function (r) { return r.path === item.value; })[0];
    }
    function describe() {
      hideConfirms();
      var rec = chosen();
      if (!rec) { message(info, '这一类还没有记录。'); return; }
      var nodes = [el('p', '文件：' + rec.path)];
      if (rec.references.length) {
        nodes.push(el('p', '用到它的记录（不能删除或改名，先在这些记录中去掉它）：', 'sc-note'));
        var list = el('ul');
        rec.references.forEach(function (t) { list.appendChild(el('li', t)); });
        nodes.push(list);
      } else {
        nodes.push(el('p', '没有其他记录用到它。'));
      }
      show(info, nodes);
    }
    function hideConfirms() {
      $('records-delete-confirm').hidden = true;
      $('records-rename-confirm').hidden = true;
    }
    kind.addEventListener('change', function () { fill(); message(result, ''); });
    item.addEventListener('change', function () { describe(); message(result, ''); });
    $('records-delete').addEventListener('click', function () {
      var rec = chosen();
      if (!rec) return;
      hideConfirms();
      $('records-delete-question').textContent = '确定删除“' + rec.title + '”（' + rec.path + '）吗？';
      $('records-delete-confirm').hidden = false;
      $('records-delete-yes').focus();
    });
    $('records-delete-no').addEventListener('click', function () { hideConfirms(); $('records-delete').focus(); });
    $('records-delete-yes').addEventListener('click', function () {
      var rec = chosen();
      busy($('records-delete-yes'), true);
      call('delete', { path: rec.path }).then(function (r) {
        hideConfirms();
        if (!r.ok) { message(result, r.body.error, 'bad'); return; }
        message(result, r.body.message, 'ok');
        return load();
      }, failed(result)).then(function () { busy($('records-delete-yes'), false); });
    });
    $('records-rename').addEventListener('click', function () {
      var rec = chosen();
      if (!rec) return;
      hideConfirms();
      busy($('records-rename'), true);
      call('rename', { path: rec.path, new_id: $('records-new-id').value }).then(function (r) {
        if (!r.ok) { message(result, r.body.error, 'bad'); return; }
        message(result, '');
        var list = $('records-rename-list');
        list.replaceChildren();
        r.body.consequences.forEach(function (t) { list.appendChild(el('li', t)); });
        $('records-rename-confirm').hidden = false;
        $('records-rename-yes').focus();
      }, failed(result)).then(function () { busy($('records-rename'), false); });
    });
    $('records-rename-no').addEventListener('click', function () { hideConfirms(); $('records-rename').focus(); });
    $('records-rename-yes').addEventListener('click', function () {
      var rec = chosen();
      var newId = $('records-new-id').value;
      busy($('records-rename-yes'), true);
      call('rename', { path: rec.path, new_id: newId, apply: true }).then(function (r) {
        hideConfirms();
        if (!r.ok) { message(result, r.body.error, 'bad'); return; }
        message(result, r.body.message, 'ok');
        $('records-new-id').value = '';
        return load(rec.path.replace(/[^/]+(\.ya?ml)$/, newId.trim() + '$1'));
      }, failed(result)).then(function () { busy($('records-rename-yes'), false); });
    });
    load();
  }

  // ------------------------------------------------------------------ 保存到版本库
  var NAME_KEY = 'showcase-clerk-name';
  function savePage() {
    var changes = $('save-changes');
    var form = $('save-form');
    var result = $('save-result');
    var history = $('save-history');
    var nameInput = $('save-name');
    try { nameInput.value = localStorage.getItem(NAME_KEY) || ''; } catch (e) { /* private mode */ }

    function refresh() {
      return Promise.all([call('status'), call('history')]).then(function (answers) {
        showStatus(answers[0]);
        showHistory(answers[1]);
      }, failed(changes));
    }
    function showStatus(r) {
      if (!r.ok) { message(changes, r.body.error, 'bad'); return; }
      var b = r.body;
      form.hidden = true;
      $('save-upload-box').hidden = true;
      if (!b.repository) { message(changes, b.reason, 'bad'); return; }
      if (!nameInput.value && b.author) nameInput.value = b.author;
      if (b.busy) { message(changes, b.busy, 'bad'); return; }
      if (!b.changes.length) {
        message(changes, '没有还没保存的修改：上次保存到版本库之后，数据没有改动过。');
      } else {
        var nodes = [el('p', '有 ' + b.changes.length + ' 个文件改动过，还没有保存到版本库：')];
        var list = el('ul');
        b.changes.forEach(function (c) {
          var li = el('li');
          li.appendChild(el('strong', c.state + '：'));
          li.appendChild(document.createTextNode(c.what + '（' + c.path + '）'));
          list.appendChild(li);
        });
        nodes.push(list);
        if (b.errors) {
          var p = el('p', '数据还有 ' + b.errors + ' 个错误，改正后才能保存（有错误的数据不能发布）：', 'sc-bad');
          var a = el('a', '打开“检查数据”');
          a.href = 'check.html';
          p.appendChild(a);
          nodes.push(p);
        }
        show(changes, nodes);
        form.hidden = false;
      }
      if (b.remote && b.not_uploaded) {
        $('save-upload-text').textContent = '有 ' + b.not_uploaded + ' 次保存还没有上传到服务器。';
        $('save-upload-box').hidden = false;
      }
    }
    function showHistory(r) {
      if (!r.ok) { message(history, r.body.error, 'bad'); return; }
      var b = r.body;
      if (!b.repository) { message(history, b.reason); return; }
      if (!b.saved.length) { message(history, '还没有保存过。'); return; }
      var table = el('table', null, 'sc-table');
      table.appendChild(el('caption', '最近 ' + b.saved.length + ' 次保存'));
      var thead = el('thead');
      var head = el('tr');
      ['日期', '保存人', '说明', '改动的记录', '状态', '操作'].forEach(function (h) {
        var th = el('th', h);
        th.scope = 'col';
        head.appendChild(th);
      });
      thead.appendChild(head);
      table.appendChild(thead);
      var tbody = el('tbody');
      b.saved.forEach(function (s, i) {
        var tr = el('tr');
        tr.appendChild(el('td', s.date, 'sc-nowrap'));
        tr.appendChild(el('td', s.author, 'sc-nowrap'));
        var msg = el('td', s.message);
        msg.id = 'save-msg-' + i;
        tr.appendChild(msg);
        var files = el('td');
        var shown = s.files.slice(0, 3).map(function (f) { return f.state + ' ' + f.what; });
        if (s.files.length > 3) shown.push('等 ' + s.files.length + ' 个文件');
        files.textContent = shown.join('；');
        tr.appendChild(files);
        var state = [];
        if (s.uploaded === true) state.push('已上传');
        if (s.uploaded === false) state.push('未上传');
        if (s.undone_by) state.push('已撤销');
        if (s.undoes) state.push('撤销了之前的一次保存');
        tr.appendChild(el('td', state.join('，'), 'sc-nowrap'));
        var action = el('td');
        if (!s.undo_refusal) {
          var button = el('button', '撤销');
          button.type = 'button';
          button.setAttribute('aria-describedby', msg.id);
          button.addEventListener('click', function () { undo(s, button); });
          action.appendChild(button);
        } else if (!s.undone_by) {
          action.appendChild(el('span', s.undo_refusal, 'sc-small'));
        }
        tr.appendChild(action);
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      show(history, [table]);
    }
    function undo(s, button) {
      if (!window.confirm('撤销“' + s.message + '”（' + s.date + ' ' + s.author + ' 保存）？\n' +
        '撤销会新增一次保存，把那次的修改改回去。')) return;
      busy(button, true);
      message(result, '正在撤销……');
      call('undo', { commit: s.commit, name: nameInput.value }).then(function (r) {
        if (!r.ok) { message(result, r.body.error, 'bad'); return; }
        message(result, r.body.message, r.body.upload_problem ? 'note' : 'ok');
        return refresh();
      }, failed(result)).then(function () { busy(button, false); });
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = $('save-run');
      busy(button, true);
      message(result, '正在保存……');
      try { localStorage.setItem(NAME_KEY, nameInput.value); } catch (e) { /* private mode */ }
      call('save', { message: $('save-message').value, name: nameInput.value }).then(function (r) {
        if (!r.ok) { message(result, r.body.error, 'bad'); return; }
        message(result, r.body.message, r.body.upload_problem ? 'note' : 'ok');
        $('save-message').value = '';
        return refresh();
      }, failed(result)).then(function () { busy(button, false); });
    });
    $('save-upload').addEventListener('click', function () {
      var button = $('save-upload');
      busy(button, true);
      message(result, '正在上传……');
      call('upload').then(function (r) {
        if (!r.ok) { message(result, r.body.error, 'bad'); return; }
        message(result, r.body.message, r.body.uploaded ? 'ok' : 'note');
        return refresh();
      }, failed(result)).then(function () { busy(button, false); });
    });
    refresh();
  }

  var pages = { tasks: hub, check: check, import: importPage, documents: documentsPage,
                records: recordsPage, save: savePage };
  if (pages[task]) pages[task]();
})();
