/**
 * The kpn-things-uplink dialog. Defaults, validators and credentials come from ../schema.ts. It shows
 * the full URL to paste into the KPN Things portal (httpNodeRoot included) with a copy button, and
 * generates a shared secret that meets KPN's rules (crypto.getRandomValues).
 */
import { SHARED_SECRET_SPECIALS } from '../../../lib/validate';
import { CATEGORY, COLOR } from '../../shared/editor/action-editor';
import { defaultsFrom } from '../../shared/editor/defaults';
import { text } from '../../shared/editor/dialog';
import { migrateDialog, saveVersion } from '../../shared/editor/migrate-dialog';
import type { EditorNode, NodeDefinition } from '../../shared/editor/red';
import { uplinkPath, uplinkSchema } from '../schema';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
/** The length of a generated secret (KPN asks for at least 32). */
export const GENERATED_SECRET_LENGTH = 40;

/** A uniformly random index below `n`, from the browser's CSPRNG (rejection sampling, no modulo bias). */
function randomBelow(n: number): number {
  const buf = new Uint32Array(1);
  const limit = Math.floor(0x100000000 / n) * n;
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) return buf[0] % n;
  }
}

/** A secret of `length` characters with an uppercase and lowercase letter, a digit and a special one. */
export function generateSecret(length = GENERATED_SECRET_LENGTH): string {
  const all = LOWER + UPPER + DIGITS + SHARED_SECRET_SPECIALS;
  const chars = [LOWER, UPPER, DIGITS, SHARED_SECRET_SPECIALS].map((set) => set[randomBelow(set.length)]);
  while (chars.length < length) chars.push(all[randomBelow(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomBelow(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

/** The URL KPN Things must push to, as this browser reaches Node-RED (httpNodeRoot included). */
export function fullUrl(path: string): string {
  const root = String((RED.settings as unknown as { httpNodeRoot?: unknown }).httpNodeRoot ?? '/');
  return `${window.location.protocol}//${window.location.host}${root.replace(/\/+$/, '')}${uplinkPath(path)}`;
}

function copy(value: string): void {
  const clip = (RED as unknown as { clipboard?: { copyText?: (v: string) => void } }).clipboard;
  if (clip?.copyText) clip.copyText(value);
  else void navigator.clipboard?.writeText(value);
}

export const definition: NodeDefinition = {
  category: CATEGORY,
  color: COLOR,
  defaults: defaultsFrom(uplinkSchema),
  credentials: { ...uplinkSchema.credentials },
  inputs: 0,
  outputs: 1,
  icon: 'kpn-things.svg',
  paletteLabel(this: EditorNode) {
    return this._('kpn-things-uplink.paletteLabel');
  },
  label(this: EditorNode) {
    return (
      text(this.name) || `${this._('kpn-things-uplink.label.node')} ${uplinkPath(text(this.url) || '/')}`
    );
  },
  labelStyle(this: EditorNode) {
    return this.name ? 'node_label_italic' : '';
  },
  outputLabels(this: EditorNode) {
    return this._('kpn-things-uplink.label.output');
  },
  oneditprepare(this: EditorNode) {
    migrateDialog(this, uplinkSchema);
    const url = $('#node-input-url');
    const shown = $('#kpn-things-uplink-full-url');
    const update = (): void => {
      shown.text(fullUrl(text(url.val()) || '/'));
    };
    url.on('input change', update);
    update();
    $('#kpn-things-uplink-copy-url').on('click', (e) => {
      e.preventDefault();
      copy(shown.text());
    });
    $('#kpn-things-uplink-generate').on('click', (e) => {
      e.preventDefault();
      // Shown as text once, so it can be copied into the KPN Things portal; saved as a password credential.
      $('#node-input-sharedSecret').attr('type', 'text').val(generateSecret()).trigger('change');
      $('#kpn-things-uplink-generated-row').show();
    });
    $('#node-input-maxBody').spinner({ min: 1 });
    $('#node-input-auth')
      .on('change', function () {
        const auth = String($(this).val());
        $('.kpn-things-uplink-auth-header').toggle(auth === 'header');
        $('.kpn-things-uplink-auth-user').toggle(auth === 'basic');
        $('.kpn-things-uplink-auth-secret').toggle(auth !== 'none');
      })
      .trigger('change');
  },
  oneditsave(this: EditorNode) {
    for (const prop of ['url', 'plugUUID', 'recentIdsStore', 'authHeader']) {
      const input = $(`#node-input-${prop}`);
      input.val(text(input.val()));
    }
    saveVersion(this, uplinkSchema);
  },
};
