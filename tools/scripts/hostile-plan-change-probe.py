#!/usr/bin/env python3
# Hostile probes of the routes Billing changed in session 12 (plan change, card, webhook) through the gateway of a
# running stack (`dotnet run --project AppHost`): two customers, one order, then NUL bytes, huge/negative numbers,
# wrong types, another customer's service. Prints every answer and the 5xx among them (expected: none).
import json, uuid, time, urllib.request, urllib.error
B="http://localhost:8080"
def req(m, p, body=None, key=None, raw=None, headers=None):
    h={"content-type":"application/json"}
    if key: h["authorization"]="Bearer "+key
    if headers: h.update(headers)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    r=urllib.request.Request(B+p, data=data, method=m, headers=h)
    try:
        with urllib.request.urlopen(r, timeout=60) as resp: return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()
def signup(n):
    s,b=req("POST","/api/customers",{"email":f"{n}-{uuid.uuid4().hex[:8]}@example.test","name":n,"password":"correct horse battery"})
    return json.loads(b)["apiKey"]
a=signup("ada"); m=signup("mallory")
s,b=req("POST","/api/orders",{"productId":"promta-starter","paymentMethodId":"pm_card_visa","sendingDomain":f"c{uuid.uuid4().hex[:6]}.test"},a,headers={"Idempotency-Key":str(uuid.uuid4())})
o=json.loads(b); print("order",s,b[:120])
sid=o["serviceId"]
for i in range(90):
    s,b=req("GET",f"/api/orders/{o['orderId']}",key=a)
    if json.loads(b).get("status")=="Active": break
    time.sleep(2)
print("status", json.loads(b).get("status"))
results=[]
def probe(label,m_,p,body=None,key=None,raw=None):
    s,b=req(m_,p,body,key,raw)
    results.append((s,label,b[:140].replace("\n"," ")))
pc=f"/api/services/{sid}/plan-change"
probe("preview own","GET",pc+"?productId=promta-business",key=a)
probe("preview other customer","GET",pc+"?productId=promta-business",key=m)
probe("change other customer","POST",pc,{"productId":"promta-business"},key=m)
probe("NUL productId","POST",pc,{"productId":"promta-\u0000business"},key=a)
probe("huge extraIps","POST",pc,{"extraIps":10**30},key=a)
probe("int overflow extraIps","POST",pc,{"extraIps":2147483648},key=a)
probe("negative extraIps","POST",pc,{"extraIps":-1},key=a)
probe("extraIps string","POST",pc,{"extraIps":"3"},key=a)
probe("productId number","POST",pc,{"productId":123},key=a)
probe("empty body","POST",pc,raw=b"",key=a)
probe("garbage body","POST",pc,raw=b"\x00\xff{",key=a)
probe("long productId","POST",pc,{"productId":"x"*100000},key=a)
probe("unknown service","POST",f"/api/services/{uuid.uuid4()}/plan-change",{"productId":"promta-business"},key=a)
probe("no auth","POST",pc,{"productId":"promta-business"})
probe("upgrade own","POST",pc,{"productId":"promta-business"},key=a)
probe("upgrade own again (same)","POST",pc,{"productId":"promta-business"},key=a)
probe("downgrade own","POST",pc,{"productId":"promta-starter"},key=a)
probe("card other: mallory current","GET","/api/payment-methods/current",key=m)
probe("card NUL","POST","/api/payment-methods",{"paymentMethodId":"pm_\u0000visa"},key=a)
probe("card huge","POST","/api/payment-methods",{"paymentMethodId":"pm_"+"x"*100000},key=a)
probe("card number type","POST","/api/payment-methods",{"paymentMethodId":42},key=a)
probe("card declined","POST","/api/payment-methods",{"paymentMethodId":"pm_card_chargeDeclined"},key=a)
probe("card mallory (no account)","POST","/api/payment-methods",{"paymentMethodId":"pm_card_visa"},key=m)
probe("card ok","POST","/api/payment-methods",{"paymentMethodId":"pm_card_mastercard"},key=a)
probe("webhook unsigned","POST","/api/webhooks/stripe",{"id":"evt_x","type":"payment_intent.succeeded"})
probe("webhook NUL","POST","/api/webhooks/stripe",raw=b"\x00\x00",)
probe("invoices","GET","/api/invoices",key=a)
probe("invoices mallory","GET","/api/invoices",key=m)
for r in results: print(r)
print("500s:", [r for r in results if r[0]>=500])
