/* Showcase's additions to Decap CMS (generated settings in window.SHOWCASE, see
 * generator/staff/cms.py):
 *  - one file format per collection that reads and writes the records the way showcase
 *    validate reads them: every value as text (js-yaml's failsafe schema, like the strict
 *    loader), empty values left out, keys in the data format's order, keyed mappings edited
 *    as lists, the record id never written into the file;
 *  - the "showcase-id" field: the file name of a new record, fixed once saved;
 *  - after a local save, the problems showcase finds in that file, in Chinese, naming the
 *    field (the local backend of `showcase serve` checks it).
 */
(function () {
  'use strict';
  var S = window.SHOWCASE;
  var TRUE = ['true', 'yes', 'on', 'y', '是', '1'];
  var FALSE = ['false', 'no', 'off', 'n', '否', '0'];

  function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

  // Visit every value at a dotted path ("plan.milestones[].done"), calling fn(parent, key).
  function visit(node, parts, fn) {
    if (node === null || node === undefined || !parts.length) return;
    var part = parts[0];
    var list = part.slice(-2) === '[]';
    var key = list ? part.slice(0, -2) : part;
    if (!isObject(node) || !(key in node)) return;
    if (parts.length === 1 && !list) { fn(node, key); return; }
    if (list) {
      if (!Array.isArray(node[key])) return;
      for (var i = 0; i < node[key].length; i++) {
        if (parts.length === 1) fn(node[key], i); else visit(node[key][i], parts.slice(1), fn);
      }
    } else {
      visit(node[key], parts.slice(1), fn);
    }
  }
  function split(path) { return path.split('.'); }

  function fromFile(name, content) {
    var shape = S.shapes[name];
    var data = jsyaml.load(content, { schema: jsyaml.FAILSAFE_SCHEMA });
    if (!isObject(data)) data = {};
    Object.keys(shape.maps).forEach(function (path) {
      visit(data, split(path), function (parent, key) {
        var m = parent[key];
        if (!isObject(m)) return;
        parent[key] = Object.keys(m).map(function (k) {
          return shape.maps[path] === 'model'
            ? Object.assign({ key: k }, isObject(m[k]) ? m[k] : {})
            : { key: k, value: m[k] };
        });
      });
    });
    shape.yaml.forEach(function (path) {
      visit(data, split(path), function (parent, key) {
        if (parent[key] !== null && typeof parent[key] === 'object') {
          parent[key] = jsyaml.dump(parent[key], { schema: jsyaml.FAILSAFE_SCHEMA, lineWidth: -1 });
        }
      });
    });
    shape.flags.forEach(function (path) {
      visit(data, split(path), function (parent, key) {
        var v = typeof parent[key] === 'string' ? parent[key].trim().toLowerCase() : null;
        if (TRUE.indexOf(v) >= 0) parent[key] = true;
        else if (FALSE.indexOf(v) >= 0) parent[key] = false;
      });
    });
    return data;
  }

  // Everything the file holds is text: numbers and yes/no values as they would be typed.
  function prune(value) {
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'number') return isFinite(value) ? String(value) : undefined;
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'string') return value.trim() === '' ? undefined : value;
    if (Array.isArray(value)) {
      var items = value.map(prune).filter(function (v) { return v !== undefined; });
      return items.length ? items : undefined;
    }
    if (isObject(value)) {
      var out = {};
      Object.keys(value).forEach(function (k) {
        var v = prune(value[k]);
        if (v !== undefined) out[k] = v;
      });
      return Object.keys(out).length ? out : undefined;
    }
    return String(value);
  }

  // Keys in the order of the data format (unknown keys kept, after the known ones).
  function order(value, path, orders) {
    if (Array.isArray(value)) return value.map(function (v) { return order(v, path + '[]', orders); });
    if (!isObject(value)) return value;
    var known = orders[path] || [];
    var keys = known.filter(function (k) { return k in value; })
      .concat(Object.keys(value).filter(function (k) { return known.indexOf(k) < 0; }));
    var out = {};
    keys.forEach(function (k) { out[k] = order(value[k], path ? path + '.' + k : k, orders); });
    return out;
  }

  function toFile(name, input) {
    var shape = S.shapes[name];
    var data = JSON.parse(JSON.stringify(input || {}));
    delete data.id;
    shape.yaml.forEach(function (path) {
      visit(data, split(path), function (parent, key) {
        if (typeof parent[key] !== 'string') return;
        if (!parent[key].trim()) { delete parent[key]; return; }
        var parsed;
        try {
          parsed = jsyaml.load(parent[key], { schema: jsyaml.FAILSAFE_SCHEMA });
        } catch (e) {
          throw new Error('“' + key + '”的内容不是有效的写法：请每行写“名称: 内容”。');
        }
        parent[key] = isObject(parsed) ? parsed : { notes: parent[key] };
      });
    });
    Object.keys(shape.maps).forEach(function (path) {
      visit(data, split(path), function (parent, key) {
        if (!Array.isArray(parent[key])) return;
        var m = {};
        parent[key].forEach(function (item) {
          if (!isObject(item) || item.key === undefined || item.key === null || item.key === '') return;
          var k = String(item.key);
          if (shape.maps[path] === 'model') {
            var rest = Object.assign({}, item);
            delete rest.key;
            m[k] = rest;
          } else {
            m[k] = item.value;
          }
        });
        parent[key] = m;
      });
    });
    var clean = order(prune(data) || {}, '', shape.orders);
    return jsyaml.dump(clean, {
      schema: jsyaml.FAILSAFE_SCHEMA, lineWidth: -1, noRefs: true, quotingType: '"',
    });
  }

  window.showcaseFormat = { fromFile: fromFile, toFile: toFile };

  function register() {
    var CMS = window.CMS;
    Object.keys(S.shapes).forEach(function (name) {
      CMS.registerCustomFormat('showcase-' + name, 'yml', {
        fromFile: function (content) { return fromFile(name, content); },
        toFile: function (data) { return toFile(name, data); },
      });
    });
    registerIdWidget(CMS);
    if (S.local) localWording(CMS);
    if (S.local) {
      CMS.registerEventListener({ name: 'postSave', handler: function (e) { showProblems(e.entry); } });
    }
  }

  // On this computer "发布" (publish) only saves the file into sites_data/: say so, so that
  // nobody thinks the public site changed.
  function localWording(CMS) {
    var zh = CMS.getLocale && CMS.getLocale('zh_Hans');
    if (!zh || !zh.editor || !zh.ui) return;
    var copy = JSON.parse(JSON.stringify(zh));
    Object.assign(copy.editor.editorToolbar, {
      publishing: '正在保存……', publish: '保存', published: '已保存',
      publishNow: '保存到本机', publishAndCreateNew: '保存，然后新建',
      publishAndDuplicate: '保存，然后复制',
    });
    Object.assign(copy.ui.toast, {
      entryPublished: '已保存到本机的 sites_data/', onFailToPublishEntry: '保存失败：%{details}',
    });
    CMS.registerLocale('zh_Hans', copy);
  }

  var ID_RE = /^[a-z0-9][a-z0-9-]{1,63}$/;
  function fileStem(path) {
    var base = String(path || '').split('/').pop();
    return base.replace(/\.ya?ml$/, '');
  }

  function registerIdWidget(CMS) {
    var h = window.h;
    var IdControl = window.createClass({
      isValid: function () {
        if (!this.props.entry.get('newRecord')) return true;
        var v = this.props.value || '';
        if (!v) return { error: { message: '请填写标识（文件名）：小写字母、数字和连字符，例如 shanbei-wangjia-cun。' } };
        if (!ID_RE.test(v)) return { error: { message: '标识只能用小写字母、数字和连字符，2–64 个字符，且以字母或数字开头。' } };
        return true;
      },
      render: function () {
        var p = this.props;
        if (!p.entry.get('newRecord')) {
          return h('div', { className: p.classNameWrapper, id: p.forID },
            fileStem(p.entry.get('path')) + '（已保存的记录不能修改标识）');
        }
        return h('input', {
          type: 'text', id: p.forID, className: p.classNameWrapper, value: p.value || '',
          autoComplete: 'off', spellCheck: false,
          onChange: function (e) { p.onChange(e.target.value.trim().toLowerCase()); },
          onFocus: p.setActiveStyle, onBlur: p.setInactiveStyle,
        });
      },
    });
    var IdPreview = window.createClass({
      render: function () { return h('span', {}, this.props.value || ''); },
    });
    CMS.registerWidget('showcase-id', IdControl, IdPreview);
  }

  // ------------------------------------------------------------------ problems after a save
  var PAGE_PREFIX = { sites: '/sites/', experiences: '/experiences/', plans: '/plans/',
                      compilations: '/compilations/' };

  function panel() {
    var el = document.getElementById('showcase-check');
    if (!el) {
      el = document.createElement('section');
      el.id = 'showcase-check';
      el.setAttribute('role', 'status');
      el.setAttribute('aria-live', 'polite');
      document.body.appendChild(el);
    }
    return el;
  }

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (cls) el.className = cls;
    return el;
  }

  function closeButton(el) {
    var close = text('button', '关闭', 'showcase-close');
    close.type = 'button';
    close.onclick = function () { el.replaceChildren(); el.className = 'showcase-check'; };
    return close;
  }

  function showProblems(entry) {
    var collection = entry.get('collection');
    // A new entry's path may not be known here: its id (the file name) finds it.
    var path = entry.get('path') || '';
    var slug = String(entry.get('slug') || '').split('/').pop();
    var id = entry.getIn(['data', 'id']) || (path ? fileStem(path) : slug);
    var el = panel();
    el.className = 'showcase-check checking';
    el.replaceChildren(text('p', '已保存，正在检查这个文件……'));
    fetch('/admin/api/check', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ path: path, collection: collection, id: id }),
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (result.error) throw new Error(result.error);
      var items = result.problems || [];
      var children = [];
      if (!items.length) {
        el.className = 'showcase-check ok';
        children.push(text('p', '已保存到 ' + result.file + '，检查通过。预览会自动刷新。'));
      } else {
        el.className = 'showcase-check bad';
        children.push(text('p', '已保存到 ' + result.file + '，但 showcase 检查发现 ' + items.length +
          ' 个问题（网站发布前必须改正）：'));
        var list = document.createElement('ul');
        items.forEach(function (p) {
          var li = document.createElement('li');
          li.appendChild(text('strong', p.field ? p.field + '：' : '第 ' + p.line + ' 行：'));
          li.appendChild(document.createTextNode(p.message));
          list.appendChild(li);
        });
        children.push(list);
      }
      var prefix = PAGE_PREFIX[collection];
      if (prefix && result.id) {
        var a = text('a', '在预览中查看这一页');
        a.href = prefix + result.id + '/';
        a.target = 'showcase-preview';
        children.push(a);
      }
      children.push(closeButton(el));
      el.replaceChildren.apply(el, children);
    }).catch(function (e) {
      el.className = 'showcase-check bad';
      el.replaceChildren(text('p', '已保存，但无法检查这个文件：' + (e && e.message && !/fetch/i.test(e.message)
        ? e.message : '预览服务（showcase serve）是否还在运行？')), closeButton(el));
    });
  }

  if (!window.CMS || !window.createClass) return;  // Decap not installed: its stub says so
  register();
  var init = { config: {} };
  if (S.local) {
    init.config.local_backend = { url: location.origin + '/admin/api/v1' };
  }
  window.CMS.init(init);
})();
