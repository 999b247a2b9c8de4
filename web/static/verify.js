// verify.js: what the /verify page adds with JavaScript. The page works
// without it (a form with a text field and a file); with it, a small chosen
// file is copied into the text field, and a "Scan with the camera" button
// appears where the browser can read QR codes itself (BarcodeDetector, with
// the qr_code format, and a camera API). A QR code read fills the text
// field and sends the form.
(function () {
  'use strict';
  var form = document.getElementById('verify-form');
  var textBlock = document.getElementById('verify-text');
  if (!form || !textBlock) return;
  var texts = JSON.parse(textBlock.textContent);
  var input = document.getElementById('input');
  var file = document.getElementById('file');
  var start = document.getElementById('scan-start');
  var stop = document.getElementById('scan-stop');
  var area = document.getElementById('scan-area');
  var video = document.getElementById('scan-video');
  var fallback = document.getElementById('scan-fallback');
  var message = document.getElementById('scan-message');
  var maxFile = Number(form.dataset.maxFile) || 1048576;
  var maxFill = Number(form.dataset.maxFill) || 65536;

  function say(text) { message.textContent = text || ''; }

  // A chosen file: too large says so at once; a small text file is shown
  // in the text field (the server verifies the file itself).
  file.addEventListener('change', function () {
    var f = file.files && file.files[0];
    say('');
    if (!f) return;
    if (f.size > maxFile) {
      say(texts.too_large);
      return;
    }
    if (f.size > maxFill || typeof f.text !== 'function') return;
    f.text().then(function (text) {
      // Binary content is left to the server, which says it is unreadable.
      if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) return;
      input.value = text.trim();
    }, function () {});
  });

  // The camera.
  var stream = null;
  var timer = 0;
  var detector = null;

  function supported() {
    if (!('BarcodeDetector' in window) || !navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function') {
      return Promise.resolve(false);
    }
    var formats = window.BarcodeDetector.getSupportedFormats ? window.BarcodeDetector.getSupportedFormats() : Promise.resolve([]);
    return Promise.resolve(formats).then(function (list) {
      return Array.isArray(list) && list.indexOf('qr_code') >= 0;
    }, function () { return false; });
  }

  function stopCamera() {
    clearTimeout(timer);
    timer = 0;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.srcObject = null;
    area.hidden = true;
    start.hidden = false;
  }

  // tick looks for a QR code in the current frame, about five times a
  // second, until one is read or the camera is stopped.
  function tick() {
    if (!stream) return;
    var look = video.readyState >= 2 ? detector.detect(video) : Promise.resolve([]);
    look.then(function (codes) {
      if (!stream) return;
      var hit = (codes || []).find(function (c) { return c && c.rawValue; });
      if (!hit) {
        timer = setTimeout(tick, 200);
        return;
      }
      stopCamera();
      input.value = hit.rawValue;
      file.value = '';
      say(texts.found);
      if (typeof form.requestSubmit === 'function') form.requestSubmit(); else form.submit();
    }, function () {
      // A frame that could not be read: try the next one.
      if (stream) timer = setTimeout(tick, 200);
    });
  }

  start.addEventListener('click', function () {
    say(texts.starting);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (s) {
      stream = s;
      detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      video.srcObject = s;
      area.hidden = false;
      start.hidden = true;
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () {});
      say(texts.scanning);
      stop.focus();
      tick();
    }, function (e) {
      var name = e && e.name;
      if (name === 'NotAllowedError' || name === 'SecurityError') say(texts.denied);
      else if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') say(texts.no_camera);
      else say(texts.error);
    });
  });

  stop.addEventListener('click', function () {
    stopCamera();
    say(texts.stopped);
    start.focus();
  });

  window.addEventListener('pagehide', stopCamera);

  supported().then(function (ok) {
    if (!ok) return;
    start.hidden = false;
    fallback.hidden = true;
  });
}());
