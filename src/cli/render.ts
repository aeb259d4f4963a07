import { diffPatch } from '../patch/diff.js';
import type { ParsedManifest } from '../offline/manifests.js';
import { applyPatchToDocument, detectYamlStyle, jsonIndent, stringifyContents } from './yaml-edit.js';

function trailingWhitespace(text: string): string {
  return /\s*$/.exec(text)?.[0] ?? '';
}

/**
 * Writes a manifest back with some of its documents replaced by new values. Everything outside
 * the replaced documents' contents is copied byte for byte: untouched documents, separators and
 * the comments around documents. A YAML document is edited node by node (its comments survive);
 * a JSON one is re-serialized as JSON with the file's indentation.
 */
export function renderManifest(manifest: ParsedManifest, replacements: ReadonlyMap<number, unknown>): string {
  const { text } = manifest.source;
  const style = detectYamlStyle(text);
  let out = '';
  let cursor = 0;
  manifest.documents.forEach((document, index) => {
    if (!replacements.has(index)) return;
    const range = document.doc.contents?.range;
    if (range === undefined) throw new Error(`document ${index} of ${manifest.source.name} has no contents to replace`);
    const [start, , end] = range;
    const original = text.slice(start, end);
    const value = replacements.get(index);
    let replaced: string;
    if (manifest.json) {
      replaced = JSON.stringify(value, null, jsonIndent(text));
    } else {
      applyPatchToDocument(document.doc, [], diffPatch(document.value, value));
      replaced = stringifyContents(document.doc, style);
    }
    out += text.slice(cursor, start) + replaced.replace(/\s*$/, '') + trailingWhitespace(original);
    cursor = end;
  });
  return out + text.slice(cursor);
}
