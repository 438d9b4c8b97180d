import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffLines } from '../../console/src/diff.js';
import { highlight } from '../../console/src/highlight.js';

/** The console's pure text helpers: the release diff and the editor's highlighting. */

describe('diffLines', () => {
  it('marks added and removed lines and keeps the common ones in order', () => {
    const out = diffLines('a\nb\nc\nd', 'a\nc\nd\ne');
    assert.deepEqual(
      out.map((l) => `${l.op}${l.text}`),
      [' a', '-b', ' c', ' d', '+e'],
    );
  });

  it('gives only unchanged lines for equal texts, and a replacement for disjoint ones', () => {
    assert.ok(diffLines('x\ny', 'x\ny').every((l) => l.op === ' '));
    assert.deepEqual(
      diffLines('old', 'new').map((l) => l.op).sort(),
      ['+', '-'],
    );
  });

  it('treats an empty text as no lines', () => {
    assert.deepEqual(
      diffLines('', 'k: v').map((l) => `${l.op}${l.text}`),
      ['+k: v'],
    );
    assert.deepEqual(
      diffLines('k: v', '').map((l) => `${l.op}${l.text}`),
      ['-k: v'],
    );
  });

  it('shows a changed line as its removal followed by its addition', () => {
    assert.deepEqual(
      diffLines('a\nport: 1\nz', 'a\nport: 2\nz').map((l) => `${l.op}${l.text}`),
      [' a', '-port: 1', '+port: 2', ' z'],
    );
  });
});

describe('highlight', () => {
  it('escapes markup in every format, so file content can never inject HTML', () => {
    const evil = '<img src=x onerror=alert(1)>\n"<script>": "</script>"';
    for (const format of ['json', 'yaml', 'properties', 'xml', 'text', 'toml', '']) {
      const html = highlight(evil, format);
      assert.ok(!/<(img|script)/i.test(html), `${format}: ${html}`);
      assert.ok(html.includes('&lt;'), format);
    }
  });

  it('wraps JSON keys, strings, numbers and literals in classed spans', () => {
    const html = highlight('{"port": 8080, "name": "a", "on": true}', 'json');
    assert.match(html, /<span class="t-key">"port"<\/span>:/);
    assert.match(html, /<span class="t-num">8080<\/span>/);
    assert.match(html, /<span class="t-str">"a"<\/span>/);
    assert.match(html, /<span class="t-lit">true<\/span>/);
  });

  it('marks YAML keys and comments and keeps the text itself unchanged', () => {
    const text = '# db\nserver:\n  port: 8080';
    const html = highlight(text, 'yaml');
    assert.match(html, /<span class="t-com"># db<\/span>/);
    assert.match(html, /<span class="t-key">server<\/span>:/);
    assert.equal(html.replace(/<[^>]+>/g, ''), text);
  });
});
