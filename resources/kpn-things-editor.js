/**
 * Editor code shared by the edit dialogs of the KPN Things nodes.
 *
 * Node-RED serves this package's resources/ folder at resources/@thingsflow/node-red-kpn-things/, and
 * each node's .html loads this file with a <script src> before its own script, which then uses the one
 * global defined here: KpnThingsEditor. Plain ES5 browser script, without a build step, like the
 * scripts in the .html files. Node-RED loads it once per node file: each load just redefines the same
 * functions.
 *
 * Message keys: the functions that answer with a message take the node's translator `t` and use the
 * shared keys ('kpn-things.…', in every node's catalogue); the picker uses '<type>.picker.…' keys of
 * its own node (the `pickerText('…')` calls below). test/catalogues.test.ts checks both.
 */
(function (window, $) {
  'use strict';

  /** The patterns the dialogs check values against. */
  var patterns = {
    /** A UUID, as customer and client ids are. */
    UUID: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    /** An http(s) URL with a host. */
    HTTP_URL: /^https?:\/\/[^\s/?#]+\S*$/i,
    /** A whole value that is one environment variable, `${NAME}` (the runtime substitutes it). */
    ENV_VAR: /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/,
    /** An ISO 8601 date-time with a timezone, or a date. */
    DATE_TIME: /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2}))?$/,
  };

  /** A `t(key, opts)` that looks keys up in the catalogue of node type `type` (the key itself until loaded). */
  function translator(type) {
    return function t(key, opts) {
      var def = RED.nodes.getType(type);
      return def && def._ ? def._(key, opts) : key;
    };
  }

  /** `v` as trimmed text: '' for undefined and null. */
  function text(v) {
    return v === undefined || v === null ? '' : String(v).trim();
  }

  /**
   * The current value of a node property: what its dialog input holds while the dialog is open and the
   * input is not empty, else the node's stored value (so '' counts as absent). `idPrefix` is the prefix
   * of the input's id: 'node-input-' (the default) or 'node-config-input-' for a config node.
   */
  function valueOf(node, prop, idPrefix) {
    var input = $('#' + (idPrefix || 'node-input-') + prop);
    var value = input.length ? input.val() : undefined;
    return value !== undefined && value !== null && value !== '' ? value : node[prop];
  }

  /** The current type of TypedInput property `prop` (its `<prop>Type` property), `fallback` when none is set. */
  function typeOf(node, prop, fallback) {
    return valueOf(node, prop + 'Type') || fallback;
  }

  /**
   * A validator for a TypedInput property: empty is fine; `check(text)` applies when the type is
   * `literal` ('str', 'num'), Node-RED's standard check for the other types. `fallback` is the type
   * when none is set (the TypedInput's default).
   */
  function typed(prop, literal, check, fallback) {
    return function (v, opt) {
      var s = text(v);
      if (s === '') return true;
      var type = typeOf(this, prop, fallback);
      if (type !== literal) return RED.utils.validateTypedProperty(s, type, opt);
      return check(s);
    };
  }

  /** A `check` for `typed`: a UUID. */
  function uuidCheck(t) {
    return function (s) {
      return patterns.UUID.test(s) ? true : t('kpn-things.errors.uuid');
    };
  }

  /** A `check` for `typed`: an ISO 8601 date-time with a timezone, or a date. */
  function dateTimeCheck(t) {
    return function (s) {
      return patterns.DATE_TIME.test(s) ? true : t('kpn-things.errors.datetime');
    };
  }

  /**
   * The validator of a list node's maxItems: a whole number of at least 1. Not checked when the output
   * is one message per page (no cap then), nor when `when(node)` is given and false.
   */
  function maxItems(t, when) {
    return function (v) {
      if ((when && !when(this)) || valueOf(this, 'output') === 'page') return true;
      var s = text(v);
      return /^\d+$/.test(s) && Number(s) >= 1 ? true : t('kpn-things.errors.max-items');
    };
  }

  /**
   * The optional error output of the action nodes (the errorOutput checkbox; `outputs` in the defaults,
   * 1 or 2).
   */
  var errorOutput = {
    /** `outputLabels` of the node: 'result', then 'error'. Called with the node as `this`. */
    outputLabels: function (index) {
      return index === 0 ? this._('kpn-things.label.result') : this._('kpn-things.label.error');
    },
    /** For `oneditsave`: two outputs while "send errors to a second output" is ticked, else one. */
    save: function (node) {
      node.outputs = $('#node-input-errorOutput').prop('checked') ? 2 : 1;
    },
  };

  /** The markup of a picker item: a link, the item's name in it (then its value). */
  var ITEM_LINK =
    '<a href="#" style="display: block; padding: 3px 6px; text-decoration: none; color: inherit;">';
  var ITEM_NAME =
    '<div class="kpn-things-picker-name" style="overflow: hidden; text-overflow: ellipsis; white-space: nowrap;">';

  /**
   * Picker: a search-as-you-type list of the items of the selected, deployed config node, from the admin
   * endpoint kpn-things/config/<id>/<endpoint>?q=…, to fill in a TypedInput; shown while its type is 'str'.
   * cfg: type (node type: messages are '<type>.picker.…'), button, panel, input (selectors), endpoint
   * ('devices', 'customers'), itemValue(item) (the value an item fills in; falsy: the item cannot be picked).
   */
  function setupPicker(cfg) {
    var t = translator(cfg.type);
    var panel = $(cfg.panel);
    var list = panel.find('.kpn-things-picker-list');
    var message = panel.find('.kpn-things-picker-message');
    var search = panel.find('.kpn-things-picker-search');
    var seq = 0;
    var timer;
    function pickerText(name) {
      return t(cfg.type + '.picker.' + name);
    }
    function say(icon, textValue, kind) {
      message
        .empty()
        .attr('data-state', kind || '')
        .show();
      if (icon) $('<i class="fa">').addClass(icon).css('margin-right', '4px').appendTo(message);
      $('<span>').text(textValue).appendTo(message);
    }
    function showItems(items) {
      items.forEach(function (item) {
        var value = cfg.itemValue(item);
        var li = $('<li class="kpn-things-picker-item">').appendTo(list);
        var a = $(ITEM_LINK).appendTo(li);
        a.on('mouseenter focus', function () {
          a.css('background', 'var(--red-ui-list-item-background-hover, #eee)');
        }).on('mouseleave blur', function () {
          a.css('background', '');
        });
        $(ITEM_NAME)
          .text(item.name || item.id)
          .appendTo(a);
        $('<code style="font-size: 0.9em;">')
          .text(value || pickerText('no-value'))
          .appendTo(a);
        if (!value) {
          li.addClass('disabled').css('opacity', 0.5);
          return;
        }
        a.attr('data-value', value).on('click', function (e) {
          e.preventDefault();
          $(cfg.input).typedInput('type', 'str');
          $(cfg.input).typedInput('value', value);
          panel.hide();
        });
      });
    }
    function load() {
      var configId = $('#node-input-config').val();
      list.empty();
      if (!configId || configId === '_ADD_') {
        say('fa-info-circle', pickerText('no-config'), 'no-config');
        return;
      }
      var mine = ++seq;
      say('fa-spinner fa-spin', pickerText('loading'), 'loading');
      $.ajax({
        url: 'kpn-things/config/' + encodeURIComponent(configId) + '/' + cfg.endpoint,
        data: { q: text(search.val()) },
        dataType: 'json',
        timeout: 45000,
      })
        .done(function (items) {
          if (mine !== seq) return;
          items = Array.isArray(items) ? items : [];
          if (items.length === 0) return say('fa-info-circle', pickerText('none'), 'none');
          message.hide().attr('data-state', 'loaded');
          showItems(items);
        })
        .fail(function (xhr) {
          if (mine !== seq) return;
          var res = (xhr && xhr.responseJSON) || {};
          if (xhr && xhr.status === 404) {
            return say('fa-exclamation-triangle', pickerText('deploy-first'), 'deploy-first');
          }
          var why = res.title
            ? res.title + (res.hint ? ': ' + res.hint : '')
            : pickerText('failed') + ' (' + ((xhr && xhr.status) || 'timeout') + ')';
          say('fa-exclamation-triangle', why, 'failed');
        });
    }
    $(cfg.button).on('click', function (e) {
      e.preventDefault();
      if (panel.is(':visible')) return panel.hide();
      panel.show();
      search.val('').trigger('focus');
      load();
    });
    search.on('keydown', function (e) {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        panel.hide();
      }
    });
    search.on('input', function () {
      clearTimeout(timer);
      timer = setTimeout(load, 300);
    });
    $('#node-input-config').on('change', function () {
      if (panel.is(':visible')) load();
    });
    function toggleButton(type) {
      var show = type === 'str';
      $(cfg.button).toggle(show);
      if (!show) panel.hide();
    }
    $(cfg.input).on('change', function (event, type) {
      toggleButton(type || $(cfg.input).typedInput('type'));
    });
    toggleButton($(cfg.input).typedInput('type'));
  }

  window.KpnThingsEditor = {
    patterns: patterns,
    translator: translator,
    text: text,
    valueOf: valueOf,
    typeOf: typeOf,
    typed: typed,
    uuidCheck: uuidCheck,
    dateTimeCheck: dateTimeCheck,
    maxItems: maxItems,
    errorOutput: errorOutput,
    setupPicker: setupPicker,
  };
})(window, window.jQuery);
