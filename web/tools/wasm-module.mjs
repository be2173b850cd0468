// Reading and writing a WebAssembly module's sections, for the build's post-processing steps
// (order-functions.mjs, minify-names.mjs). Only what they need: the section list, LEB128 integers,
// names, and the import and export entries.

/** An unsigned LEB128 integer at `at`: [value, offset after it]. */
export function readLeb(buffer, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buffer[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** `value` as unsigned LEB128. */
export function leb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

/** A length-prefixed UTF-8 name. */
export function name(text) {
  const bytes = Buffer.from(text);
  return Buffer.concat([leb(bytes.length), bytes]);
}

function readName(buffer, at) {
  const [length, start] = readLeb(buffer, at);
  return [buffer.subarray(start, start + length).toString(), start + length];
}

/** The module's sections in order, each `{ id, body }`. */
export function readSections(buffer, file = "input") {
  if (buffer.length < 8 || buffer.readUInt32BE(0) !== 0x0061736d) throw new Error(`${file}: not a WebAssembly module`);
  const out = [];
  let at = 8;
  while (at < buffer.length) {
    const id = buffer[at];
    const [size, start] = readLeb(buffer, at + 1);
    out.push({ id, body: buffer.subarray(start, start + size) });
    at = start + size;
  }
  return out;
}

/** A module of these sections. */
export function writeSections(sections) {
  const parts = [Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])];
  for (const s of sections) parts.push(Buffer.from([s.id]), leb(s.body.length), s.body);
  return Buffer.concat(parts);
}

/** The import section's entries: `{ module, field, kind, descriptor }` (the descriptor's raw bytes). */
export function readImports(sections) {
  const section = sections.find((s) => s.id === 2);
  if (!section) return [];
  const body = section.body;
  let [count, at] = readLeb(body, 0);
  const skipLeb = () => ([, at] = readLeb(body, at));
  const skipLimits = () => {
    const flags = body[at++];
    skipLeb();
    if (flags & 1) skipLeb();
  };
  const out = [];
  while (count-- > 0) {
    let module, field;
    [module, at] = readName(body, at);
    [field, at] = readName(body, at);
    const kind = body[at++];
    const start = at;
    if (kind === 0) {
      skipLeb(); // type index
    } else if (kind === 1) {
      at++; // reference type
      skipLimits();
    } else if (kind === 2) {
      skipLimits();
    } else if (kind === 3) {
      at += 2; // value type, mutability
    } else if (kind === 4) {
      at++; // tag attribute
      skipLeb();
    } else {
      throw new Error(`import kind ${kind} is not supported`);
    }
    out.push({ module, field, kind, descriptor: body.subarray(start, at) });
  }
  return out;
}

/** An import section of these entries. */
export function importSection(imports) {
  const body = Buffer.concat([
    leb(imports.length),
    ...imports.flatMap((i) => [name(i.module), name(i.field), Buffer.from([i.kind]), i.descriptor]),
  ]);
  return { id: 2, body };
}

/** The export section's entries: `{ name, kind, index }`. */
export function readExports(sections) {
  const section = sections.find((s) => s.id === 7);
  if (!section) return [];
  const body = section.body;
  let [count, at] = readLeb(body, 0);
  const out = [];
  while (count-- > 0) {
    let exported, index;
    [exported, at] = readName(body, at);
    const kind = body[at++];
    [index, at] = readLeb(body, at);
    out.push({ name: exported, kind, index });
  }
  return out;
}

/** An export section of these entries. */
export function exportSection(exports) {
  const body = Buffer.concat([
    leb(exports.length),
    ...exports.flatMap((e) => [name(e.name), Buffer.from([e.kind]), leb(e.index)]),
  ]);
  return { id: 7, body };
}
