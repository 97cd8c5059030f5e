// Leadwire's Salesbot widget: one step for the Salesbot designer that sends the customer's
// message to Leadwire's widget-request function, then leaves by "Replied" when Leadwire
// answered (it resumes the bot with the reply) and by "No reply" otherwise.
// Kommo loads this file as an AMD module and calls `new` on what it returns.
define([], function () {
  'use strict';

  // `runtime widget-archive --url https://your-host` writes the deployment's address here.
  var WIDGET_REQUEST_URL = '__LEADWIRE_WIDGET_REQUEST_URL__';

  // What the bot posts to widget-request as `data`; Kommo fills in the placeholders.
  function requestData(params) {
    return {
      message: (params && params.message) || '{{message_text}}',
      from: 'widget',
      lead_id: '{{lead.id}}',
      contact: '{{contact.name}}'
    };
  }

  // The bot's code for the step: ask Leadwire and wait (Kommo holds the bot until the reply
  // arrives at its return_url), then branch on the `status` the reply carries.
  function salesbotSteps(params) {
    return [
      {
        question: [
          { handler: 'widget_request', params: { url: WIDGET_REQUEST_URL, data: requestData(params) } },
          { handler: 'goto', params: { type: 'question', step: 1 } }
        ]
      },
      {
        question: [
          {
            handler: 'conditions',
            params: {
              logic: 'and',
              conditions: [{ term1: '{{json.status}}', term2: 'ok', operation: '=' }],
              result: [{ handler: 'exits', params: { value: 'success' } }]
            }
          },
          { handler: 'exits', params: { value: 'fail' } }
        ]
      }
    ];
  }

  return function LeadwireWidget() {
    var self = this;

    this.callbacks = {
      render: function () { return true; },
      init: function () { return true; },
      bind_actions: function () { return true; },
      settings: function () { return true; },
      onSave: function () { return true; },
      destroy: function () {},

      // The exits the step offers in the designer.
      salesbotDesignerSettings: function () {
        var texts = self.i18n('salesbot');
        return {
          exits: [
            { code: 'success', title: texts.exit_success },
            { code: 'fail', title: texts.exit_fail }
          ]
        };
      },

      // Called when the bot is saved with this step: returns the step's bot code as JSON.
      onSalesbotDesignerSave: function (handlerCode, params) {
        return JSON.stringify(salesbotSteps(params));
      }
    };

    return this;
  };
});
