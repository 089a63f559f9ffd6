// Jest runs tests in a separate V8 context whose typed-array constructors differ from
// Node's own. onnxruntime-node checks `data instanceof Float32Array` against the
// outer realm, so tensors made inside tests would be refused. This environment hands
// tests the outer realm's typed arrays, as plain Node code sees them.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class OuterRealmTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OuterRealmTypedArraysEnvironment;
