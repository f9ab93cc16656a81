-- The PostgreSQL state schema version 2 with the state of crm.yaml and orders.yaml, as ctsync 0.2.0-dev
-- (commit 21f59c3) wrote it: pg_dump --schema-only and --data-only --inserts of a real run, with the
-- dump's session settings removed. Never edit: it is what databases in the field hold.
CREATE FUNCTION public.ctsync_take_slot(p_account text, p_holder text, p_capacity integer, p_ttl_ms double precision) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_held integer;
    v_others integer;
    v_waiting boolean;
    v_share integer;
    v_slot integer;
BEGIN
    SELECT count(*) INTO v_held FROM ctsync_slots
     WHERE account = p_account AND holder = p_holder AND expires_at > now();
    SELECT count(*) INTO v_others FROM (
        SELECT holder FROM ctsync_slots
         WHERE account = p_account AND holder <> p_holder AND expires_at > now()
        UNION
        SELECT holder FROM ctsync_members
         WHERE account = p_account AND holder <> p_holder AND waiting_until > now() AND expires_at > now()
    ) AS active;
    SELECT EXISTS (
        SELECT 1 FROM ctsync_members
         WHERE account = p_account AND holder <> p_holder AND waiting_until > now() AND expires_at > now()
    ) INTO v_waiting;
    v_share := ceil(p_capacity::numeric / (v_others + 1));
    IF v_held >= p_capacity OR (v_held >= v_share AND v_waiting) THEN
        RETURN -1;
    END IF;
    SELECT slot INTO v_slot FROM ctsync_slots
     WHERE account = p_account AND slot < p_capacity AND (holder IS NULL OR expires_at <= now())
     ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        UPDATE ctsync_slots SET holder = p_holder, expires_at = now() + p_ttl_ms * interval '1 millisecond'
         WHERE account = p_account AND slot = v_slot;
        RETURN v_slot;
    END IF;
    IF v_held < v_share THEN
        UPDATE ctsync_members SET waiting_until = now() + interval '1 second'
         WHERE account = p_account AND holder = p_holder;
    END IF;
    RETURN -1;
END
$$;
CREATE TABLE public.ctsync_acks (
    job_id bigint NOT NULL,
    key text NOT NULL COLLATE pg_catalog."C",
    hash bytea NOT NULL,
    spec bigint NOT NULL,
    acked_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE public.ctsync_destinations (
    id bigint NOT NULL,
    account text NOT NULL,
    region text NOT NULL,
    endpoint text NOT NULL
);
ALTER TABLE public.ctsync_destinations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.ctsync_destinations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.ctsync_job_leases (
    job text NOT NULL,
    holder text NOT NULL,
    pid integer NOT NULL,
    host text NOT NULL,
    boot_id text NOT NULL,
    acquired_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL
);
CREATE TABLE public.ctsync_jobs (
    id bigint NOT NULL,
    name text NOT NULL,
    spec_fingerprint bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    destination_id bigint,
    spec text,
    source text
);
ALTER TABLE public.ctsync_jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.ctsync_jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.ctsync_members (
    account text NOT NULL,
    holder text NOT NULL,
    pid integer NOT NULL,
    host text NOT NULL,
    boot_id text NOT NULL,
    waiting_until timestamp with time zone,
    expires_at timestamp with time zone NOT NULL
);
CREATE TABLE public.ctsync_runs (
    id text NOT NULL,
    job_id bigint NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    status text,
    exit_status integer,
    full_sync text,
    abort_reason text,
    source_rows bigint,
    invalid bigint,
    unchanged bigint,
    added bigint,
    changed bigint,
    sent bigint,
    succeeded bigint,
    rejected bigint,
    failed bigint,
    possibly_duplicated bigint,
    report_path text,
    ctsync_version text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL
);
CREATE TABLE public.ctsync_schema_version (
    version integer NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    applied_by text NOT NULL
);
COMMENT ON TABLE public.ctsync_schema_version IS 'ctsync state schema versions; managed by ctsync';
CREATE TABLE public.ctsync_slots (
    account text NOT NULL,
    slot smallint NOT NULL,
    holder text,
    expires_at timestamp with time zone
);
ALTER TABLE ONLY public.ctsync_acks
    ADD CONSTRAINT ctsync_acks_pkey PRIMARY KEY (job_id, key);
ALTER TABLE ONLY public.ctsync_destinations
    ADD CONSTRAINT ctsync_destinations_account_region_endpoint_key UNIQUE (account, region, endpoint);
ALTER TABLE ONLY public.ctsync_destinations
    ADD CONSTRAINT ctsync_destinations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.ctsync_job_leases
    ADD CONSTRAINT ctsync_job_leases_pkey PRIMARY KEY (job);
ALTER TABLE ONLY public.ctsync_jobs
    ADD CONSTRAINT ctsync_jobs_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.ctsync_members
    ADD CONSTRAINT ctsync_members_pkey PRIMARY KEY (account, holder);
ALTER TABLE ONLY public.ctsync_runs
    ADD CONSTRAINT ctsync_runs_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.ctsync_schema_version
    ADD CONSTRAINT ctsync_schema_version_pkey PRIMARY KEY (version);
ALTER TABLE ONLY public.ctsync_slots
    ADD CONSTRAINT ctsync_slots_pkey PRIMARY KEY (account, slot);
CREATE UNIQUE INDEX ctsync_jobs_by_destination ON public.ctsync_jobs USING btree (name, destination_id) WHERE (destination_id IS NOT NULL);
CREATE UNIQUE INDEX ctsync_jobs_without_destination ON public.ctsync_jobs USING btree (name) WHERE (destination_id IS NULL);
CREATE INDEX ctsync_runs_by_job ON public.ctsync_runs USING btree (job_id, started_at);
ALTER TABLE ONLY public.ctsync_acks
    ADD CONSTRAINT ctsync_acks_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.ctsync_jobs(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.ctsync_jobs
    ADD CONSTRAINT ctsync_jobs_destination_id_fkey FOREIGN KEY (destination_id) REFERENCES public.ctsync_destinations(id);
ALTER TABLE ONLY public.ctsync_runs
    ADD CONSTRAINT ctsync_runs_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.ctsync_jobs(id) ON DELETE CASCADE;
INSERT INTO public.ctsync_destinations OVERRIDING SYSTEM VALUE VALUES (1, '123', 'in1', 'http://127.0.0.1:47801/in1');
INSERT INTO public.ctsync_jobs OVERRIDING SYSTEM VALUE VALUES (1, 'crm', -255189562855253693, '2026-12-08 00:24:34.54251+00', 1, '{"ctsync_spec":2,"destination":{"account":"123","endpoint":"http://127.0.0.1:47801/in1","region":"in1"},"identity_kind":null,"mappings":{"Customer Type":{"from":"plan","transform":[{"default":"Free \"tier\""}]},"Last Seen":{"from":"seen_ms","transform":["ms_to_s","date"]},"Name":{"from":"name","transform":[]},"Phone":{"from":"phone","transform":[{"e164":"+1"}]},"Score":{"transform":[],"value":{"number":"1.50"}},"Tags":{"from":"tags","transform":[{"split":"|"}]},"identity":{"from":"email","transform":["trim","lowercase"]}},"object":"profiles","primary_key":"id"}', 'e76a9cb561e23849');
INSERT INTO public.ctsync_jobs OVERRIDING SYSTEM VALUE VALUES (2, 'orders', -6484269932913738887, '2026-12-08 00:24:34.714531+00', 1, '{"ctsync_spec":2,"destination":{"account":"123","endpoint":"http://127.0.0.1:47801/in1","region":"in1"},"identity_kind":"email","mappings":{"Amount":{"from":"amount","transform":["number"]},"Online":{"transform":[],"value":{"bool":true}},"evtName":{"transform":[],"value":"Charged"},"identity":{"from":"email","transform":[]},"ts":{"from":"at","transform":["ms_to_s"]}},"object":"events","primary_key":"id"}', 'a616a716334fe8d8');
INSERT INTO public.ctsync_acks VALUES (1, '1', '\xf3f9d16f063c10e4950081596d327bb6', -255189562855253693, '2026-12-08 00:24:34.535227+00');
INSERT INTO public.ctsync_acks VALUES (1, '2', '\x0707175f7fd76b6b47365ede80827b90', -255189562855253693, '2026-12-08 00:24:34.535227+00');
INSERT INTO public.ctsync_acks VALUES (1, '3', '\xfbd9ff902e9d9a9a7a010c222889a419', -255189562855253693, '2026-12-08 00:24:34.535227+00');
INSERT INTO public.ctsync_acks VALUES (2, 'o1', '\x00f55a604dc64a6bbc882bdbf25fa455', -6484269932913738887, '2026-12-08 00:24:34.702528+00');
INSERT INTO public.ctsync_acks VALUES (2, 'o2', '\x81b57776c4af12fbd0692c93ce997634', -6484269932913738887, '2026-12-08 00:24:34.702528+00');
INSERT INTO public.ctsync_runs VALUES ('87e5ff46-b7e0-4f0a-a9f8-43713f3c16b9', 1, '2026-12-08 00:24:34.352588+00', '2026-12-08 00:24:34.543709+00', 'succeeded', 0, 'first_run', NULL, 3, 0, 0, 3, 0, 3, 3, 0, 0, 0, 'reports/crm-20261208T002434.425Z.json', '0.2.0-dev (unknown)', 'vm', 13092);
INSERT INTO public.ctsync_runs VALUES ('b9f7d360-acf3-4d32-9975-6938b636dcd0', 2, '2026-12-08 00:24:34.615101+00', '2026-12-08 00:24:34.71869+00', 'succeeded', 0, 'first_run', NULL, 2, 0, 0, 2, 0, 2, 2, 0, 0, 0, 'reports/orders-20261208T002434.643Z.json', '0.2.0-dev (unknown)', 'vm', 13092);
INSERT INTO public.ctsync_schema_version VALUES (1, '2026-12-08 00:24:34.118089+00', 'ctsync (pid 13092 on host vm)');
INSERT INTO public.ctsync_schema_version VALUES (2, '2026-12-08 00:24:34.118089+00', 'ctsync (pid 13092 on host vm)');
INSERT INTO public.ctsync_slots VALUES ('123', 1, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 2, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 3, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 4, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 5, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 6, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 7, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 8, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 9, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 10, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 11, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 12, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 13, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 14, NULL, NULL);
INSERT INTO public.ctsync_slots VALUES ('123', 0, NULL, NULL);
SELECT pg_catalog.setval('public.ctsync_destinations_id_seq', 2, true);
SELECT pg_catalog.setval('public.ctsync_jobs_id_seq', 2, true);
