/**
 * Picker: a search-as-you-type list of the items of the selected, deployed config node, from the admin
 * endpoint kpn-things/config/<id>/<endpoint>?q=…, to fill in a TypedInput; shown while its type is 'str'.
 * Its markup is the partial nodes/shared/editor/partials/picker.html (ids <type>-pick and <type>-picker); its messages are '<type>.picker.<name>' of the node's catalogue.
 */
import { text, translator } from './dialog';

/** The names of the picker's messages (test/catalogues.test.ts checks each node that has a picker has them). */
export const PICKER_MESSAGES = [
  'no-value',
  'no-config',
  'loading',
  'none',
  'deploy-first',
  'failed',
] as const;
type PickerMessage = (typeof PICKER_MESSAGES)[number];

export interface PickerItem {
  id?: string;
  name?: string;
  [field: string]: unknown;
}

export interface PickerOptions {
  /** The node type (its catalogue has the picker messages). */
  type: string;
  /** The TypedInput property the picker fills in, e.g. 'devEUI'. */
  property: string;
  /** The admin endpoint: 'devices' or 'customers'. */
  endpoint: string;
  /** The value an item fills in; falsy: the item cannot be picked. */
  itemValue(item: PickerItem): string | undefined;
}

const ITEM_LINK =
  '<a href="#" style="display: block; padding: 3px 6px; text-decoration: none; color: inherit;">';
const ITEM_NAME =
  '<div class="kpn-things-picker-name" style="overflow: hidden; text-overflow: ellipsis; white-space: nowrap;">';

export function setupPicker(cfg: PickerOptions): void {
  const t = translator(cfg.type);
  const button = $(`#${cfg.type}-pick`);
  const panel = $(`#${cfg.type}-picker`);
  const input = $(`#node-input-${cfg.property}`);
  const list = panel.find('.kpn-things-picker-list');
  const message = panel.find('.kpn-things-picker-message');
  const search = panel.find('.kpn-things-picker-search');
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pickerText = (name: PickerMessage): string => t(`${cfg.type}.picker.${name}`);

  function say(icon: string, words: string, kind: string): void {
    message.empty().attr('data-state', kind).show();
    if (icon) $('<i class="fa">').addClass(icon).css('margin-right', '4px').appendTo(message);
    $('<span>').text(words).appendTo(message);
  }

  function showItems(items: PickerItem[]): void {
    for (const item of items) {
      const value = cfg.itemValue(item);
      const li = $('<li class="kpn-things-picker-item">').appendTo(list);
      const a = $(ITEM_LINK).appendTo(li);
      a.on('mouseenter focus', () => a.css('background', 'var(--red-ui-list-item-background-hover, #eee)'));
      a.on('mouseleave blur', () => a.css('background', ''));
      $(ITEM_NAME)
        .text(String(item.name || item.id || ''))
        .appendTo(a);
      // A device whose DevEUI lookup failed says so; the rest of the list stands.
      const missing = item.devEUIUnknown ? t('kpn-things.picker.deveui-unknown') : pickerText('no-value');
      $('<code style="font-size: 0.9em;">')
        .text(value || missing)
        .appendTo(a);
      if (!value) {
        li.addClass('disabled').css('opacity', 0.5);
        continue;
      }
      a.attr('data-value', value).on('click', (e) => {
        e.preventDefault();
        input.typedInput('type', 'str');
        input.typedInput('value', value);
        panel.hide();
      });
    }
  }

  function load(): void {
    const configId = text($('#node-input-config').val());
    list.empty();
    if (!configId || configId === '_ADD_') {
      say('fa-info-circle', pickerText('no-config'), 'no-config');
      return;
    }
    const mine = ++seq;
    say('fa-spinner fa-spin', pickerText('loading'), 'loading');
    $.ajax({
      url: `kpn-things/config/${encodeURIComponent(configId)}/${cfg.endpoint}`,
      data: { q: text(search.val()) },
      dataType: 'json',
      timeout: 45000,
    })
      .done((items: unknown) => {
        if (mine !== seq) return;
        const found = Array.isArray(items) ? (items as PickerItem[]) : [];
        if (found.length === 0) {
          say('fa-info-circle', pickerText('none'), 'none');
          return;
        }
        message.hide().attr('data-state', 'loaded');
        showItems(found);
      })
      .fail((xhr: JQuery.jqXHR) => {
        if (mine !== seq) return;
        if (xhr.status === 404) {
          say('fa-exclamation-triangle', pickerText('deploy-first'), 'deploy-first');
          return;
        }
        const res = (xhr.responseJSON ?? {}) as { title?: string; hint?: string };
        const why = res.title
          ? res.title + (res.hint ? `: ${res.hint}` : '')
          : `${pickerText('failed')} (${xhr.status || 'timeout'})`;
        say('fa-exclamation-triangle', why, 'failed');
      });
  }

  button.on('click', (e) => {
    e.preventDefault();
    if (panel.is(':visible')) {
      panel.hide();
      return;
    }
    panel.show();
    search.val('').trigger('focus');
    load();
  });
  search.on('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      panel.hide();
    }
  });
  search.on('input', () => {
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  });
  $('#node-input-config').on('change', () => {
    if (panel.is(':visible')) load();
  });
  const toggleButton = (type: string): void => {
    const show = type === 'str';
    button.toggle(show);
    if (!show) panel.hide();
  };
  input.on('change', (_event: unknown, type?: string) => {
    toggleButton(type || String(input.typedInput('type')));
  });
  toggleButton(String(input.typedInput('type')));
}
