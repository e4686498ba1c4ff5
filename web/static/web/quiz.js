/* The answering page (Alpine component "quizApp").

   - Starts or resumes the attempt with POST /api/v1/competitions/{id}/attempts/ (201 new, 200 resume);
     the payload carries questions and the answers saved so far, never an answer key.
   - Saves every choice at once with PUT /api/v1/attempts/{id}/answers/{question}/, one request at a
     time, the latest choice per question winning; failed saves are kept in localStorage and retried
     (back-off, and at once when the browser comes back online), so a reload or a dropped connection
     loses nothing.
   - The countdown runs on the server's clock (offset from `server_time`); at zero the page submits.
   - Submitting sends every answer again (POST .../submit/ is idempotent), then opens the result page.
*/
(function () {
  "use strict";

  var MAX_RETRY_MS = 15000;

  function readConfig() {
    var el = document.getElementById("quiz-config");
    return el ? JSON.parse(el.textContent) : {};
  }

  function csrfToken(fallback) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : fallback || "";
  }

  function fill(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (_m, name) {
      return params && params[name] !== undefined ? params[name] : "";
    });
  }

  function sameChoice(a, b) {
    return JSON.stringify(a || []) === JSON.stringify(b || []);
  }

  function storage() {
    try {
      var probe = "__quiz_probe__";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or an in-app browser without storage: saving still works online
    }
  }

  function quizApp() {
    var config = readConfig();
    return {
      config: config,
      text: config.text || {},
      isPractice: !!config.isPractice,
      state: "loading",
      errorText: "",
      canRetry: false,
      needsLogin: false,
      loginHref: config.loginUrl || "/accounts/login/",
      attempt: null,
      questions: [],
      // The question on screen. Not called `index`: Alpine evaluates an x-for's :key with the loop's
      // own `index` in scope, and getters such as `q` then read that one (options went missing).
      current: 0,
      answers: {}, // question id -> ["A"] as the participant chose it
      feedback: {}, // practice: question id -> {correct, is_correct, explanation}
      confirmed: {}, // practice: question id -> true once the server holds its (final) answer
      pending: {}, // question id -> choice not yet confirmed by the server
      inflight: false,
      saveStatus: "idle", // idle | saving | saved | offline | failed
      retryMs: 1000,
      retryTimer: null,
      checking: false,
      deadlineMs: 0,
      offsetMs: 0,
      remaining: 0,
      ticker: null,
      submitting: false,
      submitText: "",
      dialog: null,
      lastFocus: null,
      announcement: "",
      warnedMinute: false,
      store: storage(),

      init: function () {
        var self = this;
        window.addEventListener("online", function () { self.flush(true); });
        window.addEventListener("offline", function () { if (self.hasPending()) self.saveStatus = "offline"; });
        document.addEventListener("visibilitychange", function () { if (!document.hidden) self.tick(); });
        this.start();
      },

      // ---- HTTP -------------------------------------------------------------------------------
      api: function (method, url, body) {
        var headers = { Accept: "application/json" };
        if (body !== undefined) headers["Content-Type"] = "application/json";
        if (method !== "GET") headers["X-CSRFToken"] = csrfToken(config.csrfToken);
        return fetch(url, {
          method: method,
          headers: headers,
          credentials: "same-origin",
          cache: "no-store",
          body: body === undefined ? undefined : JSON.stringify(body)
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            return { status: response.status, ok: response.ok, data: data || {} };
          });
        });
      },
      url: function (template, params) {
        return template.replace("{attempt}", params.attempt).replace("{question}", params.question);
      },

      // ---- starting and resuming --------------------------------------------------------------
      start: function () {
        var self = this;
        this.state = "loading";
        var sentAt = Date.now();
        this.api("POST", config.startUrl, {}).then(function (r) {
          if (r.ok) return self.load(r.data, sentAt, Date.now());
          self.fail(r);
        }).catch(function () {
          self.showError(self.text.start_failed, true);
        });
      },
      fail: function (r) {
        var code = r.data && r.data.code;
        if (r.status === 401 || code === "not_authenticated" || code === "authentication_failed") {
          this.needsLogin = true;
          this.showError(r.data.detail || this.text.start_failed, false);
        } else if (code === "not_open" || code === "daily_limit_reached" || code === "not_enough_questions") {
          this.showError(this.text[code] || r.data.detail, false);
        } else {
          this.showError((r.data && r.data.detail) || this.text.start_failed, r.status >= 500 || r.status === 429);
        }
      },
      showError: function (message, canRetry) {
        this.errorText = message;
        this.canRetry = canRetry;
        this.state = "error";
      },
      load: function (attempt, sentAt, receivedAt) {
        var self = this;
        this.attempt = attempt;
        this.questions = (attempt.questions || []).slice().sort(function (a, b) { return a.position - b.position; });
        this.answers = {};
        this.questions.forEach(function (q) {
          if (q.selected && q.selected.length) {
            self.answers[q.id] = q.selected.slice();
            if (self.isPractice) self.confirmed[q.id] = true;
          }
          // Practice: an answered question comes back with its feedback (its answer is final).
          if (self.isPractice && q.is_correct !== undefined && q.is_correct !== null) {
            self.feedback[q.id] = { correct: q.correct || [], is_correct: q.is_correct, explanation: q.explanation || "" };
          }
        });
        // The server's clock, seen from here: its time at the middle of the round trip.
        var serverNow = Date.parse(attempt.server_time);
        this.offsetMs = isNaN(serverNow) ? 0 : serverNow - (sentAt + receivedAt) / 2;
        this.deadlineMs = Date.parse(attempt.deadline);
        var saved = this.readLocal();
        Object.keys(saved.pending || {}).forEach(function (qid) {
          if (!self.questionById(qid)) return;
          if (self.isPractice) return; // practice answers are sent when checked, never queued
          self.pending[qid] = saved.pending[qid];
          if (saved.pending[qid] && saved.pending[qid].length) self.answers[qid] = saved.pending[qid].slice();
          else delete self.answers[qid];
        });
        var firstOpen = this.questions.findIndex(function (q) { return !self.isAnswered(q); });
        this.current = typeof saved.index === "number" && saved.index < this.questions.length ? saved.index : Math.max(0, firstOpen);
        this.state = "running";
        this.tick();
        this.ticker = window.setInterval(function () { self.tick(); }, 250);
        if (this.hasPending()) this.flush(true);
        this.focusQuestion();
      },
      // ---- the clock --------------------------------------------------------------------------
      tick: function () {
        if (this.state !== "running" || !this.deadlineMs) return;
        var left = Math.max(0, Math.ceil((this.deadlineMs - (Date.now() + this.offsetMs)) / 1000));
        this.remaining = left;
        if (left <= 60 && left > 0 && !this.warnedMinute) {
          this.warnedMinute = true;
          this.announcement = this.text.one_minute;
        }
        if (left <= 0) {
          this.announcement = this.text.time_up;
          this.submit(true);
        }
      },
      get clock() {
        var m = Math.floor(this.remaining / 60);
        var s = this.remaining % 60;
        return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      },

      // ---- questions --------------------------------------------------------------------------
      get q() { return this.questions[this.current]; },
      get answeredCount() {
        var self = this;
        return this.questions.filter(function (q) { return self.isAnswered(q); }).length;
      },
      get unanswered() {
        var self = this;
        var list = [];
        this.questions.forEach(function (q, i) { if (!self.isAnswered(q)) list.push(i); });
        return list;
      },
      get unansweredText() {
        var list = this.unanswered;
        if (!list.length) return this.text.unanswered_none;
        return fill(this.text.unanswered_some, {
          list: list.map(function (i) { return i + 1; }).join(this.text.list_sep)
        });
      },
      get questionOfText() {
        return fill(this.text.question_of, { n: this.current + 1, total: this.questions.length });
      },
      questionById: function (qid) {
        return this.questions.find(function (q) { return String(q.id) === String(qid); });
      },
      typeLabel: function (type) { return (this.text.types || {})[type] || type; },
      isAnswered: function (q) {
        if (this.isPractice) return !!this.confirmed[q.id];
        return !!(this.answers[q.id] && this.answers[q.id].length);
      },
      isChosen: function (q, key) { return !!(this.answers[q.id] && this.answers[q.id].indexOf(key) >= 0); },
      hasChoice: function (q) { return !!(this.answers[q.id] && this.answers[q.id].length); },
      isLocked: function (q) { return this.submitting || (this.isPractice && !!this.confirmed[q.id]); },
      optionClass: function (q, key) {
        var classes = { "option--multiple": q.type === "multiple", "is-locked": this.isLocked(q) };
        var fb = this.feedback[q.id];
        if (fb) {
          var right = (fb.correct || []).indexOf(key) >= 0;
          classes["is-correct"] = right;
          classes["is-wrong"] = !right && this.isChosen(q, key);
        } else {
          classes["is-selected"] = this.isChosen(q, key);
        }
        return classes;
      },
      sheetLabel: function (q, i) {
        return fill(this.text.go_to, { n: i + 1 }) + " · " + (this.isAnswered(q) ? this.text.answered : this.text.not_answered);
      },
      go: function (i) {
        if (i < 0 || i >= this.questions.length) return;
        this.current = i;
        this.writeLocal();
        this.focusQuestion();
      },
      focusQuestion: function () {
        this.$nextTick(function () {
          var legend = document.getElementById("question-legend");
          if (legend) legend.focus({ preventScroll: false });
          window.scrollTo(0, 0);
        });
      },

      // ---- choosing and saving ----------------------------------------------------------------
      choose: function (q, key, checked) {
        if (this.isLocked(q)) return;
        var current = (this.answers[q.id] || []).slice();
        var next;
        if (q.type === "multiple") {
          next = checked ? current.concat([key]) : current.filter(function (k) { return k !== key; });
          next = next.filter(function (k, i, all) { return all.indexOf(k) === i; }).sort();
        } else {
          next = [key];
        }
        if (next.length) this.answers[q.id] = next; else delete this.answers[q.id];
        if (this.isPractice) return; // practice: saved (and final) when the participant checks it
        this.pending[q.id] = next;
        this.writeLocal();
        this.flush(false);
      },
      check: function (q) {
        var self = this;
        if (!this.hasChoice(q) || this.checking) return;
        this.checking = true;
        this.saveStatus = "saving";
        var choice = this.answers[q.id].slice();
        this.api("PUT", this.url(config.answerUrl, { attempt: this.attempt.id, question: q.id }), { selected: choice })
          .then(function (r) {
            self.checking = false;
            if (r.ok) {
              self.feedback[q.id] = r.data;
              self.confirmed[q.id] = true;
              self.saveStatus = "saved";
            } else if (self.isOver(r)) {
              self.submit(true);
            } else if (r.status === 409 && r.data.code === "already_answered") {
              window.location.reload(); // answered elsewhere (another tab): show what the server holds
            } else {
              self.saveStatus = "failed";
            }
          })
          .catch(function () {
            self.checking = false;
            self.saveStatus = "offline";
          });
      },
      hasPending: function () { return Object.keys(this.pending).length > 0; },
      isOver: function (r) {
        var code = r.data && r.data.code;
        return r.status === 409 && (code === "deadline_passed" || code === "already_submitted");
      },
      flush: function (now) {
        var self = this;
        if (now && this.retryTimer) { window.clearTimeout(this.retryTimer); this.retryTimer = null; this.retryMs = 1000; }
        if (this.inflight || this.submitting || this.retryTimer) return;
        var ids = Object.keys(this.pending);
        if (!ids.length) return;
        var qid = ids[0];
        var choice = this.pending[qid];
        this.inflight = true;
        this.saveStatus = "saving";
        this.api("PUT", this.url(config.answerUrl, { attempt: this.attempt.id, question: qid }), { selected: choice })
          .then(function (r) {
            self.inflight = false;
            if (r.ok || r.status === 400) {
              // 400: a choice the server refuses (cannot happen from this page); drop it, don't loop.
              if (sameChoice(self.pending[qid], choice)) delete self.pending[qid];
              self.writeLocal();
              self.retryMs = 1000;
              self.saveStatus = self.hasPending() ? "saving" : "saved";
              self.flush(false);
            } else if (self.isOver(r)) {
              self.submit(true);
            } else if (r.status === 403 || r.status === 401) {
              self.needsLogin = true;
              self.saveStatus = "failed";
              self.retryLater();
            } else {
              self.saveStatus = "failed";
              self.retryLater();
            }
          })
          .catch(function () {
            self.inflight = false;
            self.saveStatus = "offline";
            self.retryLater();
          });
      },
      retryLater: function () {
        var self = this;
        if (this.retryTimer || this.submitting) return;
        this.retryTimer = window.setTimeout(function () {
          self.retryTimer = null;
          self.flush(false);
        }, this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      },
      get saveText() {
        return { saving: this.text.saving, saved: this.text.saved, offline: this.text.offline, failed: this.text.save_failed }[this.saveStatus] || "";
      },
      get saveClass() {
        return { "is-offline": this.saveStatus === "offline" || this.saveStatus === "failed", "is-saved": this.saveStatus === "saved" };
      },

      // ---- local copy (survives a reload while offline) ---------------------------------------
      localKey: function () { return "quiz-attempt-" + (this.attempt && this.attempt.id); },
      readLocal: function () {
        if (!this.store || !this.attempt) return {};
        try { return JSON.parse(this.store.getItem(this.localKey()) || "{}") || {}; } catch (e) { return {}; }
      },
      writeLocal: function () {
        if (!this.store || !this.attempt) return;
        try { this.store.setItem(this.localKey(), JSON.stringify({ pending: this.pending, index: this.current })); } catch (e) { /* full */ }
      },
      clearLocal: function () {
        if (this.store && this.attempt) { try { this.store.removeItem(this.localKey()); } catch (e) { /* ignore */ } }
      },

      // ---- dialogs ----------------------------------------------------------------------------
      openDialog: function (name) {
        var self = this;
        if (!this.dialog) this.lastFocus = document.activeElement;
        this.dialog = name;
        this.$nextTick(function () {
          var root = self.$refs[name];
          var target = root && root.querySelector("button.btn--accent, button");
          if (target) target.focus();
        });
      },
      trapFocus: function (event) {
        // Keep Tab inside an open dialog (it is modal).
        var root = this.$refs[this.dialog];
        if (!root) return;
        var items = Array.prototype.filter.call(root.querySelectorAll("button, a[href]"), function (el) {
          return !el.disabled && el.offsetParent !== null;
        });
        if (!items.length) return;
        var first = items[0];
        var last = items[items.length - 1];
        if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
        else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
      },
      closeDialog: function () {
        this.dialog = null;
        var back = this.lastFocus;
        this.lastFocus = null;
        if (back && document.body.contains(back)) back.focus();
      },

      // ---- submitting -------------------------------------------------------------------------
      submit: function (automatic) {
        var self = this;
        if (this.submitting) return;
        this.submitting = true;
        this.dialog = null;
        if (this.ticker) { window.clearInterval(this.ticker); this.ticker = null; }
        if (this.retryTimer) { window.clearTimeout(this.retryTimer); this.retryTimer = null; }
        this.submitText = automatic ? this.text.time_up : this.text.submitting;
        this.state = "submitting";
        var answers = this.questions
          .filter(function (q) { return self.answers[q.id] && self.answers[q.id].length; })
          .map(function (q) { return { question: q.id, selected: self.answers[q.id] }; });
        var delay = 1000;
        var attemptId = this.attempt.id;
        var send = function () {
          self.api("POST", self.url(config.submitUrl, { attempt: attemptId }), { answers: answers })
            .then(function (r) {
              if (r.ok || (r.status === 409 && r.data.code === "already_submitted")) return self.finish();
              if (r.status === 400) { answers = []; } // the server has every saved answer; score those
              retry();
            })
            .catch(retry);
        };
        var retry = function () {
          self.submitText = self.text.submit_failed;
          window.setTimeout(send, delay);
          delay = Math.min(delay * 2, MAX_RETRY_MS);
        };
        send();
      },
      finish: function () {
        this.clearLocal();
        window.location.replace(this.url(config.resultUrl, { attempt: this.attempt.id }));
      },
      fmt: fill
    };
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("quizApp", quizApp);
  });
})();
