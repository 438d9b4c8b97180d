import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, toXml, XmlError } from './xml.js';

describe('eureka xml', () => {
  test('reads XStream-shaped instances into the Jackson JSON form', () => {
    const doc = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<instance>
  <hostName>h</hostName>
  <port enabled="true">8080</port>
  <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>
  <metadata class="java.util.Collections$EmptyMap"/>
  <empty></empty>
  <note><![CDATA[<raw> & text]]></note>
  <esc>a &lt;b&gt; &#65;&#x42; &quot;q&quot;</esc>
  <tag>1</tag><tag>2</tag>
</instance>`);
    assert.equal(doc.name, 'instance');
    assert.deepEqual(doc.value, {
      hostName: 'h',
      port: { '@enabled': 'true', $: '8080' },
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      metadata: { '@class': 'java.util.Collections$EmptyMap' },
      empty: '',
      note: '<raw> & text',
      esc: 'a <b> AB "q"',
      tag: ['1', '2'],
    });
  });

  test('refuses malformed documents', () => {
    for (const bad of [
      '',
      'text',
      '<a>',
      '<a></b>',
      '<a><b></a></b>',
      '<a x=1></a>',
      '<a>&bogus;</a>',
      '<a></a><b></b>',
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<a attr="<"></a>',
      `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`,
    ]) {
      assert.throws(() => parseXml(bad), XmlError, JSON.stringify(bad).slice(0, 40));
    }
  });

  test('writes attributes, text, arrays and skips nulls and non-XML keys', () => {
    const xml = toXml('applications', {
      versions__delta: '1',
      application: [{ name: 'A', instance: [{ port: { $: 80, '@enabled': 'true' }, metadata: { ok: 'x&y', 'bad key': 'z' }, gone: null }] }],
    });
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<applications><versions__delta>1</versions__delta><application><name>A</name>' +
        '<instance><port enabled="true">80</port><metadata><ok>x&amp;y</ok></metadata></instance></application></applications>',
    );
    assert.deepEqual(parseXml(xml).value, {
      versions__delta: '1',
      application: { name: 'A', instance: { port: { '@enabled': 'true', $: '80' }, metadata: { ok: 'x&y' } } },
    });
  });
});
