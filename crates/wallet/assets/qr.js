// A QR code encoder (byte mode, error correction level M, versions 1–10), enough for an entry
// code. It follows ISO/IEC 18004 as Project Nayuki's public-domain-style reference explains it.
var TixQr = (function () {
  'use strict';
  // per version 1..10, level M: error-correction codewords per block, and number of blocks
  var ECC = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
  var BLOCKS = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5];

  function rawModules(ver) {
    var result = (16 * ver + 128) * ver + 64;
    if (ver >= 2) {
      var align = Math.floor(ver / 7) + 2;
      result -= (25 * align - 10) * align - 55;
      if (ver >= 7) { result -= 36; }
    }
    return result;
  }
  function dataCodewords(ver) { return Math.floor(rawModules(ver) / 8) - ECC[ver] * BLOCKS[ver]; }

  function gfMul(x, y) {
    var z = 0;
    for (var i = 7; i >= 0; i--) {
      z = (z << 1) ^ ((z >>> 7) * 0x11d);
      z ^= ((y >>> i) & 1) * x;
    }
    return z & 0xff;
  }
  function divisor(degree) {
    var result = [];
    for (var i = 0; i < degree - 1; i++) { result.push(0); }
    result.push(1);
    var root = 1;
    for (i = 0; i < degree; i++) {
      for (var j = 0; j < result.length; j++) {
        result[j] = gfMul(result[j], root);
        if (j + 1 < result.length) { result[j] ^= result[j + 1]; }
      }
      root = gfMul(root, 2);
    }
    return result;
  }
  function remainder(data, div) {
    var result = div.map(function () { return 0; });
    data.forEach(function (b) {
      var factor = b ^ result.shift();
      result.push(0);
      div.forEach(function (coef, i) { result[i] ^= gfMul(coef, factor); });
    });
    return result;
  }

  function codewords(bytes, ver) {
    var bits = [];
    function put(value, len) { for (var i = len - 1; i >= 0; i--) { bits.push((value >>> i) & 1); } }
    put(4, 4);
    put(bytes.length, ver <= 9 ? 8 : 16);
    bytes.forEach(function (b) { put(b, 8); });
    var capacity = dataCodewords(ver) * 8;
    put(0, Math.min(4, capacity - bits.length));
    put(0, (8 - bits.length % 8) % 8);
    for (var pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) { put(pad, 8); }
    var data = [];
    for (var i = 0; i < bits.length; i += 8) {
      var b = 0;
      for (var j = 0; j < 8; j++) { b = (b << 1) | bits[i + j]; }
      data.push(b);
    }
    var numBlocks = BLOCKS[ver], eccLen = ECC[ver], raw = Math.floor(rawModules(ver) / 8);
    var shortBlocks = numBlocks - raw % numBlocks, shortLen = Math.floor(raw / numBlocks);
    var div = divisor(eccLen), blocks = [], k = 0;
    for (i = 0; i < numBlocks; i++) {
      var dat = data.slice(k, k + shortLen - eccLen + (i < shortBlocks ? 0 : 1));
      k += dat.length;
      var ecc = remainder(dat, div);
      if (i < shortBlocks) { dat.push(0); }
      blocks.push(dat.concat(ecc));
    }
    var out = [];
    for (i = 0; i < blocks[0].length; i++) {
      for (j = 0; j < blocks.length; j++) {
        if (i !== shortLen - eccLen || j >= shortBlocks) { out.push(blocks[j][i]); }
      }
    }
    return out;
  }

  function Grid(ver) {
    var size = ver * 4 + 17;
    this.size = size;
    this.dark = [];
    this.fixed = [];
    for (var y = 0; y < size; y++) {
      this.dark.push(new Array(size).fill(false));
      this.fixed.push(new Array(size).fill(false));
    }
  }
  Grid.prototype.set = function (x, y, dark) { this.dark[y][x] = dark; this.fixed[y][x] = true; };

  function drawPatterns(g, ver) {
    var size = g.size, i, j;
    for (i = 0; i < size; i++) { g.set(6, i, i % 2 === 0); g.set(i, 6, i % 2 === 0); }
    [[3, 3], [size - 4, 3], [3, size - 4]].forEach(function (c) {
      for (var dy = -4; dy <= 4; dy++) {
        for (var dx = -4; dx <= 4; dx++) {
          var d = Math.max(Math.abs(dx), Math.abs(dy)), x = c[0] + dx, y = c[1] + dy;
          if (x >= 0 && x < size && y >= 0 && y < size) { g.set(x, y, d !== 2 && d !== 4); }
        }
      }
    });
    if (ver >= 2) {
      var count = Math.floor(ver / 7) + 2;
      var step = Math.ceil((ver * 4 + 4) / (count * 2 - 2)) * 2;
      var pos = [6];
      for (var p = size - 7; pos.length < count; p -= step) { pos.splice(1, 0, p); }
      for (i = 0; i < count; i++) {
        for (j = 0; j < count; j++) {
          if ((i === 0 && j === 0) || (i === 0 && j === count - 1) || (i === count - 1 && j === 0)) { continue; }
          for (var ay = -2; ay <= 2; ay++) {
            for (var ax = -2; ax <= 2; ax++) {
              g.set(pos[i] + ax, pos[j] + ay, Math.max(Math.abs(ax), Math.abs(ay)) !== 1);
            }
          }
        }
      }
    }
    drawFormat(g, 0);
    if (ver >= 7) {
      var rem = ver;
      for (i = 0; i < 12; i++) { rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25); }
      var bits = (ver << 12) | rem;
      for (i = 0; i < 18; i++) {
        var bit = ((bits >>> i) & 1) !== 0, a = size - 11 + i % 3, b = Math.floor(i / 3);
        g.set(a, b, bit);
        g.set(b, a, bit);
      }
    }
  }

  // Level M has format bits 00.
  function drawFormat(g, mask) {
    var data = mask, rem = data, size = g.size, i;
    for (i = 0; i < 10; i++) { rem = (rem << 1) ^ ((rem >>> 9) * 0x537); }
    var bits = ((data << 10) | rem) ^ 0x5412;
    function bit(n) { return ((bits >>> n) & 1) !== 0; }
    for (i = 0; i <= 5; i++) { g.set(8, i, bit(i)); }
    g.set(8, 7, bit(6));
    g.set(8, 8, bit(7));
    g.set(7, 8, bit(8));
    for (i = 9; i < 15; i++) { g.set(14 - i, 8, bit(i)); }
    for (i = 0; i < 8; i++) { g.set(size - 1 - i, 8, bit(i)); }
    for (i = 8; i < 15; i++) { g.set(8, size - 15 + i, bit(i)); }
    g.set(8, size - 8, true);
  }

  function drawData(g, data) {
    var i = 0, size = g.size;
    for (var right = size - 1; right >= 1; right -= 2) {
      if (right === 6) { right = 5; }
      for (var vert = 0; vert < size; vert++) {
        for (var j = 0; j < 2; j++) {
          var x = right - j, upward = ((right + 1) & 2) === 0, y = upward ? size - 1 - vert : vert;
          if (!g.fixed[y][x] && i < data.length * 8) {
            g.dark[y][x] = ((data[i >>> 3] >>> (7 - (i & 7))) & 1) !== 0;
            i++;
          }
        }
      }
    }
  }

  var MASKS = [
    function (x, y) { return (x + y) % 2 === 0; },
    function (x, y) { return y % 2 === 0; },
    function (x) { return x % 3 === 0; },
    function (x, y) { return (x + y) % 3 === 0; },
    function (x, y) { return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0; },
    function (x, y) { return (x * y) % 2 + (x * y) % 3 === 0; },
    function (x, y) { return ((x * y) % 2 + (x * y) % 3) % 2 === 0; },
    function (x, y) { return ((x + y) % 2 + (x * y) % 3) % 2 === 0; }
  ];
  function applyMask(g, mask) {
    for (var y = 0; y < g.size; y++) {
      for (var x = 0; x < g.size; x++) {
        if (!g.fixed[y][x] && MASKS[mask](x, y)) { g.dark[y][x] = !g.dark[y][x]; }
      }
    }
  }
  // Runs of five or more, 2x2 blocks and imbalance (the finder-like rule is left out: any mask
  // gives a valid code, this only prefers an evenly spread one).
  function penalty(g) {
    var score = 0, size = g.size, dark = 0, x, y;
    for (var pass = 0; pass < 2; pass++) {
      for (var a = 0; a < size; a++) {
        var run = 1;
        for (var b = 1; b <= size; b++) {
          var same = b < size && (pass ? g.dark[b][a] === g.dark[b - 1][a] : g.dark[a][b] === g.dark[a][b - 1]);
          if (same) { run++; } else { if (run >= 5) { score += run - 2; } run = 1; }
        }
      }
    }
    for (y = 0; y < size; y++) {
      for (x = 0; x < size; x++) {
        if (g.dark[y][x]) { dark++; }
        if (x + 1 < size && y + 1 < size) {
          var c = g.dark[y][x];
          if (c === g.dark[y][x + 1] && c === g.dark[y + 1][x] && c === g.dark[y + 1][x + 1]) { score += 3; }
        }
      }
    }
    return score + Math.floor(Math.abs(dark * 20 - size * size * 10) / (size * size)) * 10;
  }

  /** The modules of the QR code of `text` (UTF-8): an array of rows of booleans (dark). */
  function encode(text) {
    var bytes = Array.from(new TextEncoder().encode(text));
    var ver = 1;
    while (ver <= 10 && dataCodewords(ver) * 8 < 4 + (ver <= 9 ? 8 : 16) + bytes.length * 8) { ver++; }
    if (ver > 10) { throw new Error('too long for a QR code of version 10'); }
    var data = codewords(bytes, ver), best = null, bestScore = Infinity;
    for (var mask = 0; mask < 8; mask++) {
      var g = new Grid(ver);
      drawPatterns(g, ver);
      drawData(g, data);
      applyMask(g, mask);
      drawFormat(g, mask);
      var score = penalty(g);
      if (score < bestScore) { best = g; bestScore = score; }
    }
    return best.dark;
  }

  /** An SVG drawing of `text`'s QR code with a four-module quiet zone. */
  function svg(text, pixels) {
    var modules = encode(text), n = modules.length + 8, path = '';
    modules.forEach(function (row, y) {
      row.forEach(function (dark, x) { if (dark) { path += 'M' + (x + 4) + ' ' + (y + 4) + 'h1v1h-1z'; } });
    });
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + pixels + '" height="' + pixels + '" viewBox="0 0 ' + n + ' ' + n +
      '" shape-rendering="crispEdges"><rect width="' + n + '" height="' + n + '" fill="#fff"/><path fill="#000" d="' + path + '"/></svg>';
  }

  return { encode: encode, svg: svg };
})();
