(function () {
  'use strict';
  var form = document.getElementById('filters');
  var groups = ['severity', 'status', 'framework'];

  function values(group) {
    var boxes = form.querySelectorAll('input[name="' + group + '"]');
    if (boxes.length === 0) return null;
    var on = [];
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) on.push(boxes[i].value);
    return on;
  }

  function matches(el, wanted) {
    var d = el.dataset;
    if (d.status !== undefined && wanted.status && wanted.status.indexOf(d.status) < 0) return false;
    if (d.severity !== undefined && wanted.severity && wanted.severity.indexOf(d.severity) < 0) return false;
    if (d.frameworks !== undefined && wanted.framework) {
      var own = d.frameworks.split(' ');
      for (var i = 0; i < own.length; i++) if (wanted.framework.indexOf(own[i]) >= 0) return true;
      return false;
    }
    return true;
  }

  function apply() {
    var wanted = {};
    groups.forEach(function (g) { wanted[g] = values(g); });
    var rows = document.querySelectorAll('[data-filtered]');
    for (var i = 0; i < rows.length; i++) rows[i].hidden = !matches(rows[i], wanted);
    var sections = document.querySelectorAll('section[data-framework]');
    for (var j = 0; j < sections.length; j++) {
      sections[j].hidden = wanted.framework !== null && wanted.framework.indexOf(sections[j].dataset.framework) < 0;
    }
    var outputs = document.querySelectorAll('output[data-shown-for]');
    for (var k = 0; k < outputs.length; k++) {
      var table = document.getElementById(outputs[k].dataset.shownFor);
      var shown = table.querySelectorAll('[data-filtered]:not([hidden])').length;
      outputs[k].dataset.shown = String(shown);
      outputs[k].textContent = shown + ' of ' + outputs[k].dataset.total + ' shown';
    }
    return wanted;
  }

  function toHash(wanted) {
    var parts = [];
    groups.forEach(function (g) {
      var all = form.querySelectorAll('input[name="' + g + '"]').length;
      if (wanted[g] && wanted[g].length !== all) parts.push(g + '=' + wanted[g].join(','));
    });
    return parts.join('&');
  }

  // `report.html#severity=critical,high&status=fail` opens filtered (a link to share);
  // `sort=findings:3` (`:desc`) sorts a table by a column (0-based) once the page is ready.
  var sortFromHash = null;
  function fromHash() {
    var hash = decodeURIComponent(location.hash.replace(/^#/, ''));
    hash.split('&').forEach(function (part) {
      var eq = part.indexOf('=');
      if (eq < 0) return;
      var group = part.slice(0, eq);
      if (group === 'sort') { sortFromHash = part.slice(eq + 1).split(':'); return; }
      if (groups.indexOf(group) < 0) return;
      var want = part.slice(eq + 1).split(',');
      var boxes = form.querySelectorAll('input[name="' + group + '"]');
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = want.indexOf(boxes[i].value) >= 0;
    });
  }

  form.hidden = false;
  fromHash();
  apply();
  form.addEventListener('change', function () {
    var hash = toHash(apply());
    try { history.replaceState(null, '', hash ? '#' + hash : location.pathname); } catch (e) { /* file: URLs in some browsers */ }
  });
  form.addEventListener('reset', function () { setTimeout(function () { form.dispatchEvent(new Event('change')); }, 0); });

  // Sortable columns: a header with data-sort becomes a button; a cell's data-key (or its
  // text) is what is compared, numerically when both are numbers.
  function key(unit, column) {
    var row = unit.tagName === 'TBODY' ? unit.rows[0] : unit;
    var cell = row.cells[column];
    if (!cell) return '';
    return cell.dataset.key !== undefined ? cell.dataset.key : cell.textContent.trim();
  }
  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== '' && b !== '' && !isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b, undefined, { numeric: true });
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      if (!th.hasAttribute('data-sort')) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var grouped = table.classList.contains('grouped');
        var parent = grouped ? table : table.tBodies[0];
        var units = Array.prototype.slice.call(grouped ? table.tBodies : table.tBodies[0].rows);
        units.sort(function (a, b) {
          var c = compare(key(a, column), key(b, column));
          return ascending ? c : -c;
        });
        units.forEach(function (u) { parent.appendChild(u); });
      });
    });
  });
  if (sortFromHash) {
    var target = document.getElementById(sortFromHash[0]);
    var head = target && target.tHead && target.tHead.rows[0].cells[Number(sortFromHash[1])];
    var button = head && head.querySelector('button');
    if (button) {
      button.click();
      if (sortFromHash[2] === 'desc') button.click();
    }
  }
  document.documentElement.dataset.ready = 'true';
})();
