// lieux.js: the map of /lieux, a progressive enhancement of the list.
// Leaflet (vendored, web/static/leaflet) draws the places the list holds
// (their data-lat and data-lon): the network's as markers, the others
// ("hors réseau") as grey dots, each with a popup (name, services, hours,
// a link to its item in the list). The tiles come from the server the
// network administrator configured (data-tiles), which the page's
// Content-Security-Policy allows. When the tiles cannot load (tileerror
// and none loaded) or the browser is offline, the map is hidden and a
// message says the list below gives every place. Nothing here is needed
// to use the page: without JavaScript the list is the page.
(function () {
  'use strict';
  var section = document.getElementById('carte');
  var status = document.getElementById('map-status');
  if (!section || !status || !window.L) {
    return;
  }
  var d = section.dataset;
  var map = null;
  var state = function (s) { section.setAttribute('data-state', s); };
  var degrade = function (msg) {
    if (section.getAttribute('data-state') === 'degraded') {
      return;
    }
    state('degraded');
    section.hidden = true;
    if (map) {
      map.remove();
      map = null;
    }
    status.textContent = msg;
    status.hidden = false;
  };
  if (navigator.onLine === false) {
    degrade(d.msgOffline);
    return;
  }
  window.addEventListener('offline', function () { degrade(d.msgOffline); });

  var items = document.querySelectorAll('li[data-lat]');
  if (items.length === 0) {
    return; // nothing to show on a map: the list alone
  }
  var text = function (tag, s, cls) {
    var el = document.createElement(tag);
    el.textContent = s;
    if (cls) {
      el.className = cls;
    }
    return el;
  };
  // The popup of a place, built as elements: names and hours are text,
  // never HTML.
  var popup = function (li, outside) {
    var box = document.createElement('div');
    box.appendChild(text('strong', li.dataset.name));
    if (outside) {
      var where = d.labelOutside + (li.dataset.partner ? ' · ' + li.dataset.partner : '');
      box.appendChild(text('p', where, 'meta'));
    }
    if (li.dataset.services) {
      box.appendChild(text('p', d.labelServices + ' ' + li.dataset.services));
    }
    if (li.dataset.hours) {
      box.appendChild(text('p', d.labelHours + ' ' + li.dataset.hours));
    }
    var a = text('a', d.labelSee);
    a.href = '#' + li.id;
    box.appendChild(a);
    return box;
  };
  section.hidden = false;
  state('loading');
  map = L.map('map', { scrollWheelZoom: false });
  var esc = function (s) {
    var el = document.createElement('span');
    el.textContent = s;
    return el.innerHTML;
  };
  var attribution = esc(d.attribution);
  if (d.osm) {
    attribution = '<a href="https://www.openstreetmap.org/copyright">' + attribution + '</a>';
  }
  var loaded = 0;
  var failed = 0;
  var layer = L.tileLayer(d.tiles, { attribution: attribution, maxZoom: 19 });
  layer.on('tileload', function () {
    loaded++;
    if (map) {
      state('ready');
    }
  });
  layer.on('tileerror', function () {
    failed++;
  });
  // 'load': every visible tile is done, loaded or failed.
  layer.on('load', function () {
    if (loaded === 0 && failed > 0) {
      degrade(d.msgTiles);
    }
  });
  layer.addTo(map);
  var bounds = [];
  items.forEach(function (li) {
    var lat = parseFloat(li.dataset.lat);
    var lon = parseFloat(li.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) {
      return;
    }
    var outside = !li.classList.contains('place');
    var title = li.dataset.name + (outside ? ' (' + d.labelOutside + ')' : '');
    var opts = { title: title, alt: title, keyboard: true };
    if (outside) {
      var dot = document.createElement('span');
      dot.className = 'sr';
      dot.textContent = title;
      opts.icon = L.divIcon({ className: 'marker-outside', html: dot, iconSize: [16, 16] });
    }
    L.marker([lat, lon], opts).bindPopup(popup(li, outside)).addTo(map);
    bounds.push([lat, lon]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 15);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  }
}());
