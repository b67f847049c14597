// ArkManager.Images dashboard: plain JS, no dependencies. Talks to the API mapped by MapArkImageEndpoints.
(function () {
  'use strict';
  var api = document.querySelector('meta[name="ark-api"]').content.replace(/\/$/, '');
  var updates = {};
  var busy = false;
  var opener = null;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else if (k === 'class') { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function cell(label, content) {
    var td = el('td', { 'data-label': label });
    if (typeof content === 'string') { td.textContent = content; } else if (content) { content.forEach(function (c) { td.appendChild(c); }); }
    return td;
  }
  function say(text, isError) { var m = $('message'); m.textContent = text || ''; m.className = isError ? 'error' : ''; }

  function request(path, options) {
    options = options || {};
    options.credentials = 'same-origin';
    options.headers = Object.assign({ 'Accept': 'application/json' }, options.headers || {});
    if (options.body && typeof options.body !== 'string') { options.body = JSON.stringify(options.body); options.headers['Content-Type'] = 'application/json'; }
    return fetch(api + path, options).then(function (response) {
      var type = response.headers.get('Content-Type') || '';
      var body = type.indexOf('json') >= 0 ? response.json() : response.text();
      return body.then(function (data) {
        if (!response.ok) {
          var detail = data && data.detail ? data.detail : (response.status + ' ' + response.statusText);
          var error = new Error(detail + (data && data.errorId ? ' [' + data.errorId + ']' : ''));
          error.problem = data; throw error;
        }
        return data;
      });
    });
  }
  function fail(error) { say(error.message, true); }
  function shortId(id) { return (id || '').replace('sha256:', '').slice(0, 12); }
  function setBusy(value) {
    busy = value;
    document.querySelectorAll('button[data-job]').forEach(function (b) { b.disabled = value; });
  }

  function loadImages() {
    return request('/servers/images/status').then(function (images) {
      var body = $('images').querySelector('tbody');
      body.textContent = '';
      images.forEach(function (image) {
        var name = image.image;
        var update = updates[name];
        var state = update === undefined ? 'not checked' : (update ? 'update available' : 'up to date');
        var pull = el('button', { type: 'button', 'data-job': 'pull', 'data-image': name, text: 'Pull', 'aria-label': 'Pull ' + name });
        pull.addEventListener('click', function () { pullImage(name); });
        var upd = el('button', { type: 'button', 'data-job': 'update', 'data-image': name, text: 'Update…', 'aria-label': 'Update ' + name });
        upd.addEventListener('click', function (e) { openUpdate(name, e.currentTarget); });
        body.appendChild(el('tr', { 'data-image': name }, [
          cell('Image', name),
          cell('Local', image.present ? 'present ' + shortId(image.info && image.info.id) : 'missing'),
          cell('Update', [el('span', { class: update ? 'yes' : (update === false ? 'ok' : ''), text: state, 'data-update': name })]),
          cell('Actions', [pull, upd]),
        ]));
      });
      setBusy(busy);
    });
  }

  function loadServers() {
    return request('/servers').then(function (servers) {
      var body = $('servers').querySelector('tbody');
      body.textContent = '';
      if (servers.length === 0) { body.appendChild(el('tr', {}, [cell('', 'No servers.')])); }
      servers.forEach(function (server) {
        var rollback = el('button', { type: 'button', 'data-job': 'rollback', text: 'Roll back', 'aria-label': 'Roll back ' + server.name });
        rollback.addEventListener('click', function () { rollbackServer(server.name); });
        body.appendChild(el('tr', { 'data-server': server.name }, [
          cell('Server', server.name),
          cell('Image', server.image + ' (' + shortId(server.imageId) + ')'),
          cell('State', server.state),
          cell('Actions', [rollback]),
        ]));
      });
      setBusy(busy);
    });
  }

  function loadHistory() {
    return request('/servers/history?last=20').then(function (records) {
      var body = $('history').querySelector('tbody');
      body.textContent = '';
      if (records.length === 0) { body.appendChild(el('tr', {}, [cell('', 'Nothing yet.')])); }
      records.slice().reverse().forEach(function (r) {
        body.appendChild(el('tr', { 'data-history': r.id, 'data-server': r.server }, [
          cell('When', new Date(r.finishedAt).toLocaleString()),
          cell('Server', r.server),
          cell('Kind', r.kind),
          cell('Outcome', [el('span', { class: r.outcome === 'Failed' || r.outcome === 'RolledBack' ? 'bad' : 'ok', text: r.outcome })]),
          cell('Image', r.image + ' ' + shortId(r.oldImageId) + ' → ' + shortId(r.newImageId)),
        ]));
      });
    });
  }

  function refresh() { return Promise.all([loadImages(), loadServers(), loadHistory()]).catch(fail); }

  function checkUpdates() {
    say('Asking the registry…');
    return request('/servers/images/check-updates').then(function (map) {
      updates = map;
      var names = Object.keys(map).filter(function (k) { return map[k]; });
      say(names.length ? 'Update available: ' + names.join(', ') : 'Every image is up to date.');
      return loadImages();
    }).catch(fail);
  }

  // Progress panel -----------------------------------------------------------
  function showProgress(title) {
    $('job').hidden = false;
    $('job').removeAttribute('data-state');
    $('job-summary').textContent = title;
    $('layers').textContent = '';
    $('steps').textContent = '';
    setBar(0);
  }
  function setBar(fraction) {
    var percent = Math.max(0, Math.min(100, Math.round(fraction * 100)));
    $('job-fill').style.width = percent + '%';
    $('job-percent').textContent = percent + ' %';
    document.querySelector('#job .bar').setAttribute('aria-valuenow', String(percent));
  }
  function showLayers(pull) {
    var list = $('layers');
    (pull.layers || []).forEach(function (layer) {
      var id = 'layer-' + layer.id;
      var item = document.getElementById(id);
      if (!item) {
        item = el('li', { id: id }, [el('span', { text: layer.id }), el('progress', { max: '100', value: '0', 'aria-label': 'Layer ' + layer.id }), el('span', {})]);
        list.appendChild(item);
      }
      var pct = Math.round((layer.fraction || 0) * 100);
      item.children[1].value = pct;
      item.children[2].textContent = pct + ' %';
      item.title = layer.status;
    });
  }
  function showStep(progress) {
    if (!progress.step) { $('job-summary').textContent = progress.message || $('job-summary').textContent; return; }
    var key = 'step-' + (progress.server || '') + '-' + progress.step;
    var item = document.getElementById(key);
    if (!item) {
      // A step starts when the one before it finished: mark this server's earlier running steps done.
      Array.prototype.forEach.call($('steps').children, function (earlier) {
        if (earlier.getAttribute('data-server') === (progress.server || '') && earlier.className === '') { finishStep(earlier); }
      });
      item = el('li', { id: key, 'data-server': progress.server || '' });
      $('steps').appendChild(item);
    }
    item.textContent = (progress.server ? progress.server + ': ' : '') + progress.step + ' — ' + (progress.message || progress.phase);
    item.className = /fail|roll/i.test(progress.phase) ? 'failed' : (/done|complete|succeed/i.test(progress.phase) ? 'done' : '');
  }

  function finishStep(item) {
    item.textContent = item.textContent.replace(/: running$/, ': done');
    item.className = 'done';
  }

  function follow(job, what) {
    setBusy(true);
    return new Promise(function (resolve) {
      var source = new EventSource(api + '/jobs/' + encodeURIComponent(job.id) + '/events');
      source.addEventListener('progress', function (e) {
        var data = JSON.parse(e.data);
        if (data.layers) { showLayers(data); setBar(data.overallFraction || 0); return; }
        if (data.pull) { showLayers(data.pull); }
        showStep(data);
        if (typeof data.fraction === 'number') { setBar(data.fraction); }
      });
      source.addEventListener('done', function (e) {
        source.close();
        var status = JSON.parse(e.data);
        if (status.state === 'succeeded') {
          Array.prototype.forEach.call($('steps').children, function (item) { if (item.className === '') { finishStep(item); } });
          if (status.kind === 'update') { delete updates[status.target]; }
          setBar(1);
          $('job-summary').textContent = what + ' finished.';
          say(what + ' finished.' + (status.result && status.result.summary ? ' ' + status.result.summary : ''));
        } else {
          $('job-summary').textContent = what + ' failed.';
          say(what + ' failed: ' + (status.error || 'unknown error') + (status.errorId ? ' [' + status.errorId + ']' : ''), true);
        }
        $('job').setAttribute('data-state', status.state);
        setBusy(false);
        refresh().then(resolve);
      });
      source.onerror = function () { if (source.readyState === EventSource.CLOSED) { setBusy(false); resolve(); } };
    });
  }

  function pullImage(image) {
    showProgress('Pulling ' + image + '…');
    say('');
    return request('/servers/images/pull', { method: 'POST', body: { image: image } })
      .then(function (job) { return follow(job, 'Pull of ' + image); }).catch(fail);
  }

  function rollbackServer(name) {
    if (!window.confirm('Roll back ' + name + ' to the image it ran before its last update? The server is stopped and restarted.')) { return; }
    showProgress('Rolling back ' + name + '…');
    return request('/servers/' + encodeURIComponent(name) + '/rollback', { method: 'POST' })
      .then(function (job) { return follow(job, 'Rollback of ' + name); }).catch(fail);
  }

  // Update dialog -------------------------------------------------------------
  function openUpdate(image, button) {
    opener = button;
    var dialog = $('update-dialog');
    $('update-image').textContent = image;
    dialog.setAttribute('data-image', image);
    var list = $('affected');
    list.textContent = '';
    list.appendChild(el('li', { text: 'Loading…' }));
    dialog.showModal();
    $('update-cancel').focus();
    request('/servers/images/affected?image=' + encodeURIComponent(image)).then(function (servers) {
      list.textContent = '';
      if (servers.length === 0) { list.appendChild(el('li', { text: 'None of your servers uses this image.' })); }
      servers.forEach(function (s) {
        list.appendChild(el('li', { 'data-server': s.name, text: s.name + ' (' + s.state + (s.onNewestImage ? ', already on the newest local image' : '') + ')' }));
      });
    }).catch(function (error) { list.textContent = ''; list.appendChild(el('li', { class: 'bad', text: error.message })); });
  }
  function closeUpdate() { $('update-dialog').close(); }

  $('update-dialog').addEventListener('close', function () { if (opener) { opener.focus(); } });
  $('update-cancel').addEventListener('click', closeUpdate);
  $('update-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var image = $('update-dialog').getAttribute('data-image');
    var backup = $('update-backup').checked;
    closeUpdate();
    showProgress('Updating ' + image + '…');
    say('');
    request('/servers/images/update', { method: 'POST', body: { image: image, backup: backup } })
      .then(function (job) { return follow(job, 'Update of ' + image); }).catch(fail);
  });
  $('refresh').addEventListener('click', refresh);
  $('check-updates').addEventListener('click', checkUpdates);
  refresh();
}());
