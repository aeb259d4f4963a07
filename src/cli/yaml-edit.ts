import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { PatchOperation } from '../patch/diff.js';

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isPrimitive(v: unknown): v is string | number | boolean | null {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/**
 * Applies a JSON patch (as diffed by fast-json-patch: add, remove, replace) to a parsed YAML
 * document in place, node by node, so that comments, key order and scalar styles of everything
 * the patch does not touch survive. `prefix` is where the patched value sits in the document.
 */
export function applyPatchToDocument(doc: Document.Parsed, prefix: readonly (string | number)[], patch: readonly PatchOperation[]): void {
  for (const op of patch) {
    const path = [...prefix, ...parsePointer(op.path)];
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') throw new Error(`unsupported patch operation ${op.op}`);
    if (path.length === 0) throw new Error('a patch on the whole document cannot be applied in place');
    const last = path[path.length - 1]!;
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const value = 'value' in op ? (op.value as unknown) : undefined;
    if (isSeq(parent)) {
      const index = last === '-' ? parent.items.length : Number(last);
      if (op.op === 'add') parent.items.splice(index, 0, doc.createNode(value));
      else if (op.op === 'remove') parent.items.splice(index, 1);
      else parent.items[index] = doc.createNode(value);
    } else if (isMap(parent)) {
      const key = String(last);
      if (op.op === 'remove') {
        parent.delete(key);
        continue;
      }
      const existing = parent.get(key, true);
      // A changed scalar keeps its node, and with it its comment and quoting style.
      if (isScalar(existing) && isPrimitive(value) && typeof existing.value === typeof value) existing.value = value;
      else parent.set(key, doc.createNode(value));
    } else {
      throw new Error(`patch path ${op.path} does not lead into a mapping or sequence`);
    }
  }
}

/** Whether block sequences in this text sit at their key's indentation (`key:\n- a`) rather than indented. */
export function usesCompactSequences(text: string): boolean {
  const lines = text.split('\n');
  let compact = 0;
  let indented = 0;
  for (let i = 0; i + 1 < lines.length && compact + indented < 50; i++) {
    const key = /^(\s*)(?:- )?[^\s#-][^:]*:\s*(#.*)?$/.exec(lines[i]!);
    if (key === null) continue;
    const keyIndent = lines[i]!.search(/[^\s-]/);
    const item = /^(\s*)- /.exec(lines[i + 1]!);
    if (item === null) continue;
    if (item[1]!.length === keyIndent) compact++;
    else if (item[1]!.length > keyIndent) indented++;
  }
  return compact > indented;
}

/** The indentation unit of a JSON text (2 when it cannot tell). */
export function jsonIndent(text: string): string | number {
  const m = /\n([ \t]+)["{[]/.exec(text);
  return m === null ? 2 : m[1]!;
}

/** Whether flow collections in this text are written `{a: 1}` rather than `{ a: 1 }`. */
export function usesTightFlowCollections(text: string): boolean {
  const tight = text.match(/[[{][^\s\]}]/g)?.length ?? 0;
  const padded = text.match(/[[{] /g)?.length ?? 0;
  return tight > padded;
}

/** How the file being rewritten lays out what the yaml package may choose freely. */
export interface YamlStyle {
  readonly compactSequences: boolean;
  readonly tightFlowCollections: boolean;
}

export function detectYamlStyle(text: string): YamlStyle {
  return { compactSequences: usesCompactSequences(text), tightFlowCollections: usesTightFlowCollections(text) };
}

/** The contents of a document re-serialized, without the comments and markers around them. */
export function stringifyContents(doc: Document.Parsed, style: YamlStyle): string {
  // A fresh document around the same contents: no directives, markers or document comments,
  // which stay in the original text around the replaced range.
  const fresh = new Document(null, { version: doc.directives?.yaml.version ?? '1.2' });
  const contents = doc.clone().contents;
  if (contents !== null) {
    contents.commentBefore = null;
    // Without `---`, a file's leading comment is attached to the first key or item, yet it lies
    // before the contents' range and is copied from the original text already.
    const first = isMap(contents) ? contents.items[0]?.key : isSeq(contents) ? contents.items[0] : undefined;
    if (first !== null && typeof first === 'object' && 'commentBefore' in first) (first as { commentBefore?: string | null }).commentBefore = null;
  }
  fresh.contents = contents;
  return fresh.toString({ lineWidth: 0, indentSeq: !style.compactSequences, flowCollectionPadding: !style.tightFlowCollections });
}
