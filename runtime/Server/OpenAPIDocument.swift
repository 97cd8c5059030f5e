import Foundation
import FunctionKit

/// The OpenAPI 3.1 description of every endpoint, served by `runtime serve` at `/openapi.json`
/// (with the version filled in). Written by hand; a test checks it against the catalog's
/// routes, and CI runs schemathesis against `runtime serve` with it, so the document, the
/// answers and the error shapes stay in step.
enum OpenAPIDocument {
    static var json: String { template.replacingOccurrences(of: "\"version\": \"VERSION\"", with: "\"version\": \"\(LeadwireVersion.string)\"") }

    private static let template = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Leadwire",
  "version": "VERSION",
  "description": "Every endpoint of Leadwire's functions, as runtime serve and the generated web-server configurations route them."
 },
 "paths": {
  "/kommo-webhook": {
   "post": {
    "summary": "Kommo lead events into kommo_leads",
    "tags": [
     "webhooks"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/Token"
     }
    ],
    "requestBody": {
     "$ref": "#/components/requestBodies/Webhook"
    },
    "responses": {
     "200": {
      "$ref": "#/components/responses/KommoAnswer"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "kommoWebhook"
   }
  },
  "/functions/v1/kommo-webhook": {
   "post": {
    "summary": "Kommo lead events into kommo_leads",
    "tags": [
     "webhooks"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/Token"
     }
    ],
    "requestBody": {
     "$ref": "#/components/requestBodies/Webhook"
    },
    "responses": {
     "200": {
      "$ref": "#/components/responses/KommoAnswer"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "kommoWebhookSeedPath"
   }
  },
  "/webhook/amocrm": {
   "post": {
    "operationId": "amocrmWebhook",
    "summary": "amoCRM won deals: UTM routing and sales",
    "tags": [
     "webhooks"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/Token"
     }
    ],
    "requestBody": {
     "$ref": "#/components/requestBodies/Webhook"
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success"
         ],
         "properties": {
          "success": {
           "type": "boolean"
          },
          "log_ids": {
           "type": "array"
          },
          "deals": {
           "type": "array"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/webhook/amocrm/test": {
   "get": {
    "operationId": "amocrmWebhookTest",
    "summary": "Uptime check of the amoCRM endpoint",
    "tags": [
     "webhooks"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success",
          "version"
         ],
         "properties": {
          "success": {
           "const": true
          },
          "version": {
           "type": "string"
          }
         }
        }
       }
      }
     }
    }
   }
  },
  "/webhooks/knowlarity": {
   "get": {
    "operationId": "knowlarityWebhookGet",
    "summary": "The same, for hooks configured as GET: the call's fields in the query string (any case)",
    "tags": [
     "webhooks"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/Token"
     },
     {
      "name": "uuid",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "customer_number",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "agent_number",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "start_time",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "call_duration",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "call_type",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success",
          "log_id"
         ],
         "properties": {
          "success": {
           "type": "boolean"
          },
          "outcome": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "operationId": "knowlarityWebhook",
    "summary": "Knowlarity calls into knowlarity_calls and leads_master",
    "tags": [
     "webhooks"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/Token"
     }
    ],
    "requestBody": {
     "$ref": "#/components/requestBodies/Webhook"
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success",
          "log_id"
         ],
         "properties": {
          "success": {
           "type": "boolean"
          },
          "outcome": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/webhook-logs": {
   "get": {
    "operationId": "listWebhookLogs",
    "summary": "Every inbound log, newest first, paged",
    "tags": [
     "admin"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "source",
      "in": "query",
      "schema": {
       "enum": [
        "kommo",
        "amocrm",
        "knowlarity"
       ]
      }
     },
     {
      "name": "status",
      "in": "query",
      "schema": {
       "enum": [
        "success",
        "error",
        "partial"
       ]
      }
     },
     {
      "name": "routing",
      "in": "query",
      "schema": {
       "enum": [
        "referral",
        "traffic",
        "both",
        "unknown"
       ]
      }
     },
     {
      "name": "lead_id",
      "in": "query",
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     },
     {
      "name": "since",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time; compared as an instant"
     },
     {
      "name": "until",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time, exclusive"
     },
     {
      "name": "q",
      "in": "query",
      "schema": {
       "type": "string",
       "maxLength": 200
      }
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000,
       "default": 50
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1
      },
      "description": "next_cursor of the previous page"
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success",
          "logs",
          "pagination"
         ],
         "properties": {
          "success": {
           "const": true
          },
          "logs": {
           "type": "array",
           "items": {
            "type": "object",
            "required": [
             "id",
             "source",
             "received_at",
             "status"
            ],
            "properties": {
             "seq": {
              "type": "integer"
             },
             "id": {
              "type": "string"
             },
             "source": {
              "type": "string"
             },
             "received_at": {
              "type": "string"
             },
             "status": {
              "type": "string"
             }
            }
           }
          },
          "pagination": {
           "type": "object",
           "required": [
            "limit",
            "has_more"
           ],
           "properties": {
            "next_cursor": {
             "type": ["integer", "null"]
            },
            "next": {
             "type": ["string", "null"],
             "description": "The next page's query (the filters as understood and the cursor), relative to this listing's address; null on the last page"
            }
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/webhook-logs/viewer": {
   "get": {
    "operationId": "webhookLogsViewer",
    "summary": "The logs viewer page (it asks for a key itself)",
    "tags": [
     "admin"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "text/html; charset=utf-8": {
        "schema": {
         "type": "string"
        }
       }
      }
     }
    }
   }
  },
  "/api/admin/webhook-logs/{id}": {
   "get": {
    "operationId": "getWebhookLog",
    "summary": "One log with its payload, results and raw body",
    "tags": [
     "admin"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^(kommo|amocrm|knowlarity):[A-Za-z0-9-]+$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success",
          "log"
         ],
         "properties": {
          "success": {
           "const": true
          },
          "log": {
           "type": "object",
           "required": [
            "id",
            "source",
            "received_at",
            "status"
           ],
           "properties": {
            "seq": {
             "type": "integer"
            },
            "id": {
             "type": "string"
            },
            "source": {
             "type": "string"
            },
            "received_at": {
             "type": "string"
            },
            "status": {
             "type": "string"
            }
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/webhook-logs/{id}/replay": {
   "post": {
    "operationId": "replayWebhookLog",
    "summary": "Run a stored event through its function again",
    "tags": [
     "admin"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^(kommo|amocrm|knowlarity):[A-Za-z0-9-]+$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success",
          "replay_of",
          "status",
          "result"
         ]
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/export/{dataset}/{format}": {
   "get": {
    "operationId": "export",
    "summary": "A dataset streamed as CSV, JSON or NDJSON; every export audited",
    "tags": [
     "admin"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "dataset",
      "in": "path",
      "required": true,
      "schema": {
       "enum": [
        "kommo-leads",
        "leads",
        "users",
        "sales",
        "webhook-logs"
       ]
      }
     },
     {
      "name": "format",
      "in": "path",
      "required": true,
      "schema": {
       "enum": [
        "csv",
        "json",
        "ndjson"
       ]
      }
     },
     {
      "name": "createdAfter",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time"
     },
     {
      "name": "createdBefore",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time, exclusive"
     },
     {
      "name": "updatedAfter",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time"
     },
     {
      "name": "search",
      "in": "query",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "sortOrder",
      "in": "query",
      "schema": {
       "enum": [
        "asc",
        "desc"
       ]
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The rows",
      "content": {
       "text/csv; charset=utf-8": {
        "schema": {
         "type": "string"
        }
       },
       "application/json": {
        "schema": {
         "type": "array"
        }
       },
       "application/x-ndjson": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/users": {
   "get": {
    "operationId": "listUsers",
    "summary": "Seed 004's users listing: the users export, a page at a time",
    "tags": [
     "admin"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000,
       "default": 50
      }
     },
     {
      "name": "offset",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 0
      }
     },
     {
      "name": "cursor",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     },
     {
      "name": "createdAfter",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time"
     },
     {
      "name": "createdBefore",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time, exclusive"
     },
     {
      "name": "updatedAfter",
      "in": "query",
      "schema": {
       "type": "string",
       "format": "date-time"
      },
      "description": "ISO 8601 date or time"
     },
     {
      "name": "search",
      "in": "query",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "sortOrder",
      "in": "query",
      "schema": {
       "enum": [
        "asc",
        "desc"
       ]
      }
     },
     {
      "name": "exportConsentOnly",
      "in": "query",
      "schema": {
       "type": "boolean"
      }
     },
     {
      "name": "hasTag",
      "in": "query",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "success",
          "users",
          "pagination"
         ],
         "properties": {
          "success": {
           "const": true
          },
          "users": {
           "type": "array"
          },
          "pagination": {
           "type": "object",
           "required": [
            "total",
            "limit",
            "offset",
            "hasMore",
            "nextCursor"
           ],
           "properties": {
            "total": {
             "type": "integer"
            },
            "limit": {
             "type": "integer"
            },
            "offset": {
             "type": "integer"
            },
            "hasMore": {
             "type": "boolean"
            },
            "nextCursor": {
             "type": [
              "string",
              "null"
             ]
            }
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/health": {
   "get": {
    "operationId": "health",
    "summary": "Version and schema version; 503 when the store does not answer",
    "tags": [
     "operations"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Health"
        }
       }
      }
     },
     "503": {
      "description": "The store does not answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Health"
        }
       }
      }
     }
    }
   }
  },
  "/api/admin/webhooks": {
   "get": {
    "operationId": "listWebhooks",
    "summary": "Every outbound webhook subscription, with its counters",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "responses": {
     "200": {
      "description": "The subscriptions",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "operationId": "createWebhook",
    "summary": "Seed 004's subscription: the answer holds its signing secret, shown this once",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/WebhookCreate"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/webhooks/{id}": {
   "get": {
    "operationId": "getWebhook",
    "summary": "One subscription with its counters and last 50 deliveries",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The subscription",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "patch": {
    "operationId": "updateWebhook",
    "summary": "Change fields; \"active\": true re-enables a disabled subscription",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/WebhookUpdate"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Changed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "delete": {
    "operationId": "deleteWebhook",
    "summary": "Delete a subscription, its queued messages and its deliveries",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Deleted",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/webhooks/{id}/test": {
   "post": {
    "operationId": "testWebhook",
    "summary": "Send a webhook.test event and report the delivery (202 when no worker took it in time)",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Delivered or failed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "202": {
      "description": "Queued",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/webhooks/{id}/rotate-secret": {
   "post": {
    "operationId": "rotateWebhookSecret",
    "summary": "A new signing secret; the previous one also signs for 24 hours",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The new secret",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/admin/webhooks/{id}/deliveries/{delivery}/retry": {
   "post": {
    "operationId": "retryWebhookDelivery",
    "summary": "Queue a delivery's message again, with fresh attempts",
    "tags": [
     "webhooks"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "delivery",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Queued",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WebhookAnswer"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/kommo-oauth": {
   "get": {
    "summary": "Kommo OAuth: authorize (admin key, kommo:api; redirect to Kommo's consent page), callback (Kommo's redirect back), status (admin key, kommo:api), disabled (Kommo's signed notice)",
    "tags": [
     "kommo-oauth"
    ],
    "parameters": [
     {
      "name": "action",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "enum": [
        "authorize",
        "callback",
        "status",
        "disabled"
       ]
      }
     },
     {
      "name": "code",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "state",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "referer",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "error",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "mode",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "from_widget",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "client_uuid",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "account_id",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "signature",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Connected, the status, or the disabled account's tokens deleted",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "302": {
      "description": "To Kommo's consent page",
      "headers": {
       "Location": {
        "schema": {
         "type": "string"
        }
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "kommoOAuthGet"
   },
   "post": {
    "summary": "Kommo OAuth with an admin key (scope kommo:api): api-request (the proxy to Kommo's /api/v4/), refresh, disconnect",
    "tags": [
     "kommo-oauth"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "action",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "enum": [
        "api-request",
        "refresh",
        "disconnect"
       ]
      }
     },
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "endpoint": {
          "type": "string",
          "examples": [
           "/api/v4/leads"
          ]
         },
         "method": {
          "type": "string",
          "enum": [
           "GET",
           "POST",
           "PATCH",
           "PUT",
           "DELETE"
          ]
         },
         "query": {
          "type": "object"
         },
         "body": {},
         "account": {
          "type": [
           "string",
           "integer"
          ]
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Kommo's answer, or the account",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "402": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Error"
     },
     "429": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "kommoOAuthPost"
   }
  },
  "/functions/v1/kommo-oauth": {
   "get": {
    "summary": "Kommo OAuth: authorize (admin key, kommo:api; redirect to Kommo's consent page), callback (Kommo's redirect back), status (admin key, kommo:api), disabled (Kommo's signed notice)",
    "tags": [
     "kommo-oauth"
    ],
    "parameters": [
     {
      "name": "action",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "enum": [
        "authorize",
        "callback",
        "status",
        "disabled"
       ]
      }
     },
     {
      "name": "code",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "state",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "referer",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "error",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "mode",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "from_widget",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "client_uuid",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "account_id",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "signature",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Connected, the status, or the disabled account's tokens deleted",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "302": {
      "description": "To Kommo's consent page",
      "headers": {
       "Location": {
        "schema": {
         "type": "string"
        }
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "kommoOAuthGetV1"
   },
   "post": {
    "summary": "Kommo OAuth with an admin key (scope kommo:api): api-request (the proxy to Kommo's /api/v4/), refresh, disconnect",
    "tags": [
     "kommo-oauth"
    ],
    "security": [
     {
      "adminKey": []
     }
    ],
    "parameters": [
     {
      "name": "action",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "enum": [
        "api-request",
        "refresh",
        "disconnect"
       ]
      }
     },
     {
      "name": "account",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "endpoint": {
          "type": "string",
          "examples": [
           "/api/v4/leads"
          ]
         },
         "method": {
          "type": "string",
          "enum": [
           "GET",
           "POST",
           "PATCH",
           "PUT",
           "DELETE"
          ]
         },
         "query": {
          "type": "object"
         },
         "body": {},
         "account": {
          "type": [
           "string",
           "integer"
          ]
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Kommo's answer, or the account",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "402": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Error"
     },
     "429": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "kommoOAuthPostV1"
   }
  },
  "/widget-request": {
   "post": {
    "summary": "Kommo Salesbot widget step: the signed token checked, the request queued, {\"status\":\"ok\"} at once; the worker sends the reply to return_url",
    "tags": [
     "webhooks"
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "token",
         "return_url"
        ],
        "properties": {
         "token": {
          "type": "string"
         },
         "data": {
          "type": "object"
         },
         "return_url": {
          "type": "string"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Stored; the reply follows",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "status"
         ],
         "properties": {
          "status": {
           "const": "ok"
          },
          "duplicate": {
           "type": "boolean"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "widgetRequest"
   }
  },
  "/api/kommo/kommo/widget-request": {
   "post": {
    "summary": "Kommo Salesbot widget step: the signed token checked, the request queued, {\"status\":\"ok\"} at once; the worker sends the reply to return_url",
    "tags": [
     "webhooks"
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "token",
         "return_url"
        ],
        "properties": {
         "token": {
          "type": "string"
         },
         "data": {
          "type": "object"
         },
         "return_url": {
          "type": "string"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Stored; the reply follows",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "status"
         ],
         "properties": {
          "status": {
           "const": "ok"
          },
          "duplicate": {
           "type": "boolean"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "operationId": "widgetRequestSeed002"
   }
  },
  "/openapi.json": {
   "get": {
    "operationId": "openAPI",
    "summary": "This document (served by runtime serve)",
    "tags": [
     "operations"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "parameters": {
   "Token": {
    "name": "token",
    "in": "query",
    "required": false,
    "schema": {
     "type": "string"
    },
    "description": "The webhook secret, when the function's LEADWIRE_*_WEBHOOK_TOKEN is set (or the X-Webhook-Token header). A webhook with no token, signing secret or allowlist answers 401 intake_closed unless LEADWIRE_*_WEBHOOK_AUTH=none opens it (runtime serve does so on 127.0.0.1)."
   }
  },
  "requestBodies": {
   "Webhook": {
    "required": true,
    "content": {
     "application/x-www-form-urlencoded": {
      "schema": {
       "type": "object",
       "additionalProperties": {
        "type": "string"
       }
      }
     },
     "application/json": {
      "schema": {
       "type": "object"
      }
     }
    }
   }
  },
  "securitySchemes": {
   "adminKey": {
    "type": "http",
    "scheme": "bearer",
    "description": "An admin key from `runtime keys create`; each route needs its scope."
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       }
      }
     }
    }
   },
   "WebhookCreate": {
    "type": "object",
    "required": [
     "name",
     "url",
     "events"
    ],
    "additionalProperties": false,
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "url": {
      "type": "string",
      "maxLength": 2048,
      "description": "https; public addresses only unless LEADWIRE_WEBHOOKS_ALLOW_PRIVATE=1"
     },
     "events": {
      "type": "array",
      "minItems": 1,
      "maxItems": 100,
      "items": {
       "type": "string"
      }
     },
     "description": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1000
     },
     "retryAttempts": {
      "type": "integer",
      "minimum": 0,
      "maximum": 20,
      "default": 3
     },
     "retryDelay": {
      "type": "integer",
      "minimum": 1,
      "maximum": 86400,
      "default": 60
     },
     "timeoutMs": {
      "type": "integer",
      "minimum": 100,
      "maximum": 30000,
      "default": 10000
     },
     "active": {
      "type": "boolean",
      "default": true
     }
    }
   },
   "WebhookUpdate": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "url": {
      "type": "string",
      "maxLength": 2048,
      "description": "https; public addresses only unless LEADWIRE_WEBHOOKS_ALLOW_PRIVATE=1"
     },
     "events": {
      "type": "array",
      "minItems": 1,
      "maxItems": 100,
      "items": {
       "type": "string"
      }
     },
     "description": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1000
     },
     "retryAttempts": {
      "type": "integer",
      "minimum": 0,
      "maximum": 20,
      "default": 3
     },
     "retryDelay": {
      "type": "integer",
      "minimum": 1,
      "maximum": 86400,
      "default": 60
     },
     "timeoutMs": {
      "type": "integer",
      "minimum": 100,
      "maximum": 30000,
      "default": 10000
     },
     "active": {
      "type": "boolean",
      "default": true
     }
    }
   },
   "WebhookAnswer": {
    "type": "object",
    "required": [
     "success"
    ],
    "properties": {
     "success": {
      "type": "boolean"
     },
     "webhook": {
      "type": "object"
     },
     "webhooks": {
      "type": "array"
     },
     "delivery": {
      "type": "object"
     },
     "secret": {
      "type": "string"
     }
    }
   },
   "Health": {
    "type": "object",
    "required": [
     "status",
     "version"
    ],
    "properties": {
     "status": {
      "enum": [
       "ok",
       "unavailable"
      ]
     },
     "version": {
      "type": "string"
     },
     "schema_version": {
      "type": "integer"
     },
     "message": {
      "type": "string"
     }
    }
   }
  },
  "responses": {
   "KommoAnswer": {
    "description": "What happened to each event",
    "content": {
     "application/json": {
      "schema": {
       "type": "object",
       "required": [
        "status",
        "log_id",
        "results"
       ],
       "properties": {
        "status": {
         "enum": [
          "success",
          "partial",
          "error"
         ]
        },
        "log_id": {
         "type": "string"
        },
        "results": {
         "type": "array"
        }
       }
      }
     }
    }
   },
   "Error": {
    "description": "An error: every one has this shape",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  }
 }
}

"""#
}
