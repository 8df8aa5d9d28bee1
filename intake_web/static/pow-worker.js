// Runs in a worker: finds the proof of work without freezing the page.
// SHA-256 in plain JavaScript (no crypto.subtle: it needs HTTPS, which an
// onion service over plain HTTP does not give every browser).
"use strict";
var K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
];
var W = new Int32Array(64);
var WORDS = new Int32Array(64);  // room for messages up to 119 bytes
var MIDSTATE = null;  // the hash state after the prefix's whole blocks

function compress(state, words, offset) {
  var a = state[0], b = state[1], c = state[2], d = state[3],
      e = state[4], f = state[5], g = state[6], h = state[7];
  for (var t = 0; t < 64; t++) {
    if (t < 16) {
      W[t] = words[offset + t];
    } else {
      var x = W[t - 15], y = W[t - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
    }
    var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    var ch = (e & f) ^ (~e & g);
    var temp1 = (h + S1 + ch + K[t] + W[t]) | 0;
    var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    var maj = (a & b) ^ (a & c) ^ (b & c);
    var temp2 = (S0 + maj) | 0;
    h = g; g = f; f = e; e = (d + temp1) | 0;
    d = c; c = b; b = a; a = (temp1 + temp2) | 0;
  }
  state[0] = (state[0] + a) | 0; state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0; state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0; state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0; state[7] = (state[7] + h) | 0;
}

var INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// SHA-256 of bytes[0..length): whole 64-byte blocks of a fixed prefix are
// compressed once (MIDSTATE, for ``skip`` bytes), the rest on every call.
function sha256(bytes, length, skip) {
  var state = new Int32Array(skip ? MIDSTATE : INITIAL);
  var rest = length - skip;
  var blocks = ((rest + 9 + 63) >> 6) << 4;
  WORDS.fill(0, 0, blocks);
  for (var i = 0; i < rest; i++) { WORDS[i >> 2] |= bytes[skip + i] << (24 - (i & 3) * 8); }
  WORDS[rest >> 2] |= 0x80 << (24 - (rest & 3) * 8);
  WORDS[blocks - 1] = length * 8;
  for (var block = 0; block < blocks; block += 16) { compress(state, WORDS, block); }
  return state;
}

function leadingZeroBits(hash) {
  var bits = 0;
  for (var i = 0; i < 8; i++) {
    if (hash[i] === 0) { bits += 32; continue; }
    return bits + Math.clz32(hash[i]);
  }
  return bits;
}

self.onmessage = function (event) {
  var prefix = event.data.challenge + ":";
  var bits = event.data.bits;
  var bytes = new Uint8Array(prefix.length + 24);
  for (var i = 0; i < prefix.length; i++) { bytes[i] = prefix.charCodeAt(i) & 0xff; }
  var skip = prefix.length & ~63;
  MIDSTATE = new Int32Array(INITIAL);
  var prefixWords = new Int32Array(skip >> 2);
  for (i = 0; i < skip; i++) { prefixWords[i >> 2] |= bytes[i] << (24 - (i & 3) * 8); }
  for (var block = 0; block < skip >> 2; block += 16) { compress(MIDSTATE, prefixWords, block); }
  var digits = [0];  // the counter in decimal, least significant first
  for (var counter = 0; counter < 1e12; counter++) {
    var length = prefix.length;
    for (var d = digits.length - 1; d >= 0; d--) { bytes[length++] = 48 + digits[d]; }
    if (leadingZeroBits(sha256(bytes, length, skip)) >= bits) {
      self.postMessage(counter);
      return;
    }
    for (var carry = 0; ; carry++) {
      if (carry === digits.length) { digits.push(1); break; }
      if (digits[carry] < 9) { digits[carry]++; break; }
      digits[carry] = 0;
    }
  }
};
