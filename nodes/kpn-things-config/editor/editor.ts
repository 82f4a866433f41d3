/**
 * The kpn-things-config dialog. Defaults, validators, credentials and the defaults shown as placeholders
 * come from ../schema.ts (and so from lib/endpoints.ts).
 */
import { defaultsFrom } from '../../shared/editor/defaults';
import { text, translator } from '../../shared/editor/dialog';
import { migrateDialog, saveVersion } from '../../shared/editor/migrate-dialog';
import type { EditorNode, NodeDefinition } from '../../shared/editor/red';
import { configSchema } from '../schema';

const PREFIX = 'node-config-input-';
const t = translator('kpn-things-config');

/** Settings of the Advanced section: it stays closed while they have their default values. */
const ADVANCED = [
  'customerId',
  'contextMode',
  'apiUrl',
  'gripUrl',
  'tokenPath',
  'applicationId',
  'timeout',
  'proxy',
  'proxyUrl',
  'caFile',
] as const;
/** Settings the dialog trims before saving. */
const TRIMMED = [
  'tenantId',
  'customerId',
  'apiUrl',
  'gripUrl',
  'tokenPath',
  'applicationId',
  'proxyUrl',
  'caFile',
] as const;
/** What Test connection sends (with the node id; the secret only when a new one was typed). */
const TEST_FIELDS = ['tenantId', ...ADVANCED, 'clientId', 'ca'] as const;

interface TestAnswer {
  ok?: boolean;
  devices?: number;
  more?: boolean;
  title?: string;
  status?: number;
  detail?: string;
  hint?: string;
}

type ResultKind = 'ok' | 'error' | 'busy';

function showResult(kind: ResultKind, icon: string, title: string, lines: (string | undefined)[] = []): void {
  const result = $('#kpn-things-config-test-result');
  const colour =
    kind === 'ok'
      ? 'var(--red-ui-text-color-success, #3a3)'
      : kind === 'error'
        ? 'var(--red-ui-text-color-error, #c00)'
        : '';
  result.empty().attr('data-result', kind).show();
  const head = $('<div>').css('color', colour).appendTo(result);
  $('<i class="fa">').addClass(icon).appendTo(head);
  $('<span>')
    .text(` ${title}`)
    .css('font-weight', kind === 'error' ? 'bold' : 'normal')
    .appendTo(head);
  for (const line of lines) {
    if (line) $('<div class="form-tips" style="margin-top: 4px;">').text(line).appendTo(result);
  }
}

/**
 * Test connection: POSTs the dialog's current values (and the node id, so the server can use the stored
 * secret when none was typed) to the admin endpoint.
 */
function testConnection(node: EditorNode, button: JQuery): void {
  const body: Record<string, string> = { id: node.id };
  for (const prop of TEST_FIELDS) body[prop] = text($(`#${PREFIX}${prop}`).val());
  const secret = text($(`#${PREFIX}clientSecret`).val());
  if (secret && secret !== '__PWRD__') body.clientSecret = String($(`#${PREFIX}clientSecret`).val());
  button.prop('disabled', true);
  showResult('busy', 'fa-spinner fa-spin', t('kpn-things-config.test.testing'));
  $.ajax({
    url: 'kpn-things/test-connection',
    type: 'POST',
    contentType: 'application/json',
    dataType: 'json',
    data: JSON.stringify(body),
    timeout: 45000,
  })
    .done((answer: TestAnswer | null) => {
      const res = answer ?? {};
      if (res.ok) {
        const count = Number(res.devices) || 0;
        const key = res.more ? 'kpn-things-config.test.ok-more' : 'kpn-things-config.test.ok';
        showResult('ok', 'fa-check', t(key, { count }));
        return;
      }
      const title =
        (res.title || t('kpn-things-config.test.failed')) + (res.status ? ` (${res.status})` : '');
      // GRIP's detail repeats the hint, then what GRIP said: show that part only once.
      let detail = text(res.detail);
      if (res.hint && detail.indexOf(res.hint) === 0) detail = text(detail.slice(res.hint.length));
      showResult('error', 'fa-exclamation-triangle', title, [res.hint, detail]);
    })
    .fail((xhr: JQuery.jqXHR, textStatus: string) => {
      const res = (xhr.responseJSON ?? {}) as TestAnswer;
      const title = res.title || t('kpn-things-config.test.failed');
      const reason =
        res.hint ||
        (textStatus === 'timeout'
          ? t('kpn-things-config.test.timeout')
          : t('kpn-things-config.test.unreachable', { status: xhr.status || textStatus }));
      showResult('error', 'fa-exclamation-triangle', title, [reason]);
    })
    .always(() => button.prop('disabled', false));
}

export const definition: NodeDefinition = {
  category: 'config',
  defaults: defaultsFrom(configSchema, PREFIX),
  credentials: { ...configSchema.credentials },
  icon: 'kpn-things.svg',
  paletteLabel(this: EditorNode) {
    return this._('kpn-things-config.paletteLabel');
  },
  label(this: EditorNode) {
    return text(this.name) || text(this.tenantId) || 'KPN Things';
  },
  oneditprepare(this: EditorNode) {
    migrateDialog(this, configSchema, PREFIX);
    const advanced = $('#kpn-things-config-advanced');
    const caret = $('#kpn-things-config-advanced-toggle i');
    const showAdvanced = (open: boolean): void => {
      advanced.toggle(open);
      caret.toggleClass('fa-caret-down', open).toggleClass('fa-caret-right', !open);
    };
    $('#kpn-things-config-advanced-toggle').on('click', (e) => {
      e.preventDefault();
      showAdvanced(!advanced.is(':visible'));
    });
    const props = configSchema.properties;
    showAdvanced(
      ADVANCED.some((prop) => text(this[prop]) !== '' && text(this[prop]) !== text(props[prop].value)) ||
        text($(`#${PREFIX}ca`).val()) !== '',
    );
    // The defaults, as placeholders (one home: lib/endpoints.ts).
    for (const prop of ['apiUrl', 'gripUrl', 'tokenPath', 'applicationId'] as const) {
      $(`#${PREFIX}${prop}`).attr('placeholder', String(props[prop].value));
    }
    $(`#${PREFIX}timeout`).spinner({ min: 1 });
    $('#kpn-things-config-test').on('click', (e) => {
      e.preventDefault();
      testConnection(this, $(e.currentTarget as HTMLElement));
    });
    $(`#${PREFIX}proxy`)
      .on('change', function () {
        $('#kpn-things-config-proxyUrl-row').toggle($(this).val() === 'url');
      })
      .trigger('change');
  },
  oneditsave(this: EditorNode) {
    for (const prop of TRIMMED) {
      const input = $(`#${PREFIX}${prop}`);
      input.val(text(input.val()));
    }
    saveVersion(this, configSchema);
  },
};
