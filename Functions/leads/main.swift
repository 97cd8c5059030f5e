// leads: GET /api/leads (filtered, paged), GET /api/leads/{kommo_id}; scope leads:read
// See Shared/Leads/LeadsAPI.swift.
import FunctionKit
import Leads

FunctionMain.run(LeadsAPI.name, handler: LeadsAPI.handle)
