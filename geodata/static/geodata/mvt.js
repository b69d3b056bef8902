// Minimal Mapbox Vector Tile (2.1) decoder: tiles -> layers -> features with geometry rings
// in tile coordinates. No dependencies; enough for drawing and hit-testing.

class Reader {
  constructor(buffer) {
    this.buf = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
  }
  varint() {
    let result = 0, shift = 0, byte;
    do {
      byte = this.buf[this.pos++];
      result += shift < 28 ? (byte & 0x7f) << shift : (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte >= 0x80);
    return result;
  }
  svarint() {
    const n = this.varint();
    return n % 2 === 1 ? (n + 1) / -2 : n / 2;
  }
  bytes() {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    return this.buf.subarray(start, start + length);
  }
  string() {
    return new TextDecoder().decode(this.bytes());
  }
  skip(wireType) {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.pos += this.varint();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
  packed() {
    const end = this.varint() + this.pos;
    const values = [];
    while (this.pos < end) values.push(this.varint());
    return values;
  }
}

function readValue(reader, end) {
  let value = null;
  while (reader.pos < end) {
    const tag = reader.varint();
    const field = tag >> 3;
    if (field === 1) value = reader.string();
    else if (field === 2) { value = reader.view.getFloat32(reader.pos, true); reader.pos += 4; }
    else if (field === 3) { value = reader.view.getFloat64(reader.pos, true); reader.pos += 8; }
    else if (field === 4 || field === 5) value = reader.varint();
    else if (field === 6) value = reader.svarint();
    else if (field === 7) value = Boolean(reader.varint());
    else reader.skip(tag & 7);
  }
  return value;
}

function decodeGeometry(commands) {
  const rings = [];
  let x = 0, y = 0, ring = null, i = 0;
  while (i < commands.length) {
    const header = commands[i++];
    const id = header & 7;
    const count = header >> 3;
    if (id === 1 || id === 2) {
      for (let c = 0; c < count; c++) {
        const v1 = commands[i++], v2 = commands[i++];
        x += (v1 >> 1) ^ -(v1 & 1);
        y += (v2 >> 1) ^ -(v2 & 1);
        if (id === 1) { ring = [x, y]; rings.push(ring); } else ring.push(x, y);
      }
    } else if (id === 7 && ring) {
      ring.push(ring[0], ring[1]);
    }
  }
  return rings; // each ring: flat [x0, y0, x1, y1, ...]
}

function readFeature(reader, keys, values) {
  const end = reader.varint() + reader.pos;
  const feature = { id: null, type: 0, tags: [], commands: [] };
  while (reader.pos < end) {
    const tag = reader.varint();
    const field = tag >> 3;
    if (field === 1) feature.id = reader.varint();
    else if (field === 2) feature.tags = reader.packed();
    else if (field === 3) feature.type = reader.varint();
    else if (field === 4) feature.commands = reader.packed();
    else reader.skip(tag & 7);
  }
  return feature;
}

class TileFeature {
  constructor(id, type, rings, tags, context) {
    this.id = id;
    this.type = type;
    this.rings = rings;
    this.tags = tags;
    this.context = context;
  }

  get properties() {
    const { keys, value } = this.context;
    const properties = {};
    for (let i = 0; i + 1 < this.tags.length; i += 2) properties[keys[this.tags[i]]] = value(this.tags[i + 1]);
    return properties;
  }
}

function readLayer(reader) {
  const end = reader.varint() + reader.pos;
  const layer = { name: "", extent: 4096, features: [], keys: [] };
  const raws = [];
  const valueStarts = [], valueEnds = [];
  while (reader.pos < end) {
    const tag = reader.varint();
    const field = tag >> 3;
    if (field === 1) layer.name = reader.string();
    else if (field === 2) raws.push(readFeature(reader));
    else if (field === 3) layer.keys.push(reader.string());
    else if (field === 4) {
      // Values are decoded only when a feature's properties are asked for (on click).
      const length = reader.varint();
      valueStarts.push(reader.pos);
      valueEnds.push(reader.pos + length);
      reader.pos += length;
    } else if (field === 5) layer.extent = reader.varint();
    else reader.skip(tag & 7);
  }
  const cache = new Map();
  const value = (index) => {
    if (!cache.has(index)) {
      const valueReader = new Reader(reader.buf);
      valueReader.pos = valueStarts[index];
      cache.set(index, readValue(valueReader, valueEnds[index]));
    }
    return cache.get(index);
  };
  const context = { keys: layer.keys, value };
  layer.features = raws.map((raw) => new TileFeature(raw.id, raw.type, decodeGeometry(raw.commands), raw.tags, context));
  return layer;
}

/** Decode a vector tile (ArrayBuffer) into {layers: [{name, extent, features: [{id, type, rings, properties}]}]}. */
export function decodeTile(buffer) {
  const reader = new Reader(buffer);
  const layers = [];
  while (reader.pos < reader.buf.length) {
    const tag = reader.varint();
    if (tag >> 3 === 3) layers.push(readLayer(reader));
    else reader.skip(tag & 7);
  }
  return { layers };
}

function ringContains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
    const xi = ring[i], yi = ring[i + 1], xj = ring[j], yj = ring[j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const t = dx || dy ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy))) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Return the topmost feature of `layer` at tile coordinates (x, y), within `tolerance` for lines and points. */
export function featureAt(layer, x, y, tolerance) {
  for (let f = layer.features.length - 1; f >= 0; f--) {
    const feature = layer.features[f];
    if (feature.type === 3) {
      let inside = false;
      for (const ring of feature.rings) if (ringContains(ring, x, y)) inside = !inside;
      if (inside) return feature;
    } else {
      for (const ring of feature.rings) {
        if (feature.type === 1) {
          if (Math.hypot(ring[0] - x, ring[1] - y) <= tolerance) return feature;
        } else {
          for (let i = 0; i + 3 < ring.length; i += 2) {
            if (segmentDistance(x, y, ring[i], ring[i + 1], ring[i + 2], ring[i + 3]) <= tolerance) return feature;
          }
        }
      }
    }
  }
  return null;
}
