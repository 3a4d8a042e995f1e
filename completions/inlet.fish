# fish completion for inlet(1) and its commands.
#
# The same file is installed as inlet.fish and as inlet-NAME.fish for each
# command, so whichever name fish loads it for, "inlet COMMAND ..." and every
# inlet-COMMAND binary get their completions.  Keep the option lists in step
# with each command's --help (tests/91-completions.bats checks).

# __inlet_needs_command: true while "inlet" has no command word yet.
function __inlet_needs_command
    set -l tokens (commandline -opc)
    test (count $tokens) -eq 1
end

# __inlet_using CMD: true when the command line is "inlet CMD ...".
function __inlet_using --argument-names cmd
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; and test "$tokens[2]" = "$cmd"
end

# __inlet_add CMD COMPLETE-ARGS...: the same completion for inlet-CMD and for
# "inlet CMD".
function __inlet_add --argument-names cmd
    complete -c inlet-$cmd $argv[2..-1]
    complete -c inlet -n "__inlet_using $cmd" $argv[2..-1]
end

# __inlet_autoload_option: the candidates for "inlet autoload -o KEY=VALUE":
# the Databricks option names, then the values of those that take a fixed set.
function __inlet_autoload_option
    set -l token (commandline -ct)
    if not string match -q -- '*=*' $token
        printf '%s=\n' cloudFiles.format cloudFiles.schemaLocation \
            cloudFiles.inferColumnTypes cloudFiles.schemaEvolutionMode \
            cloudFiles.schemaHints cloudFiles.rescuedDataColumn \
            cloudFiles.maxFilesPerTrigger cloudFiles.maxBytesPerTrigger \
            cloudFiles.includeExistingFiles cloudFiles.allowOverwrites modifiedAfter modifiedBefore \
            cloudFiles.backfillInterval cloudFiles.cleanSource \
            cloudFiles.cleanSource.moveDestination cloudFiles.cleanSource.retentionDuration \
            cloudFiles.validateOptions \
            cloudFiles.useIncrementalListing cloudFiles.useNotifications header sep \
            delimiter quote escape nullValue emptyValue nanValue positiveInf negativeInf \
            maxColumns maxCharsPerColumn unescapedQuoteHandling wholetext \
            mode columnNameOfCorruptRecord \
            badRecordsPath multiLine inferSchema comment encoding charset \
            pathGlobFilter fileNamePattern cloudFiles.csv.header \
            cloudFiles.csv.delimiter cloudFiles.json.multiline rescuedDataColumn \
            cloudFiles.schemaInference.sampleSize.numFiles \
            cloudFiles.schemaInference.sampleSize.numBytes ignoreLeadingWhiteSpace \
            ignoreTrailingWhiteSpace skipRows dateFormat timestampFormat timeZone spark.sql.session.timeZone \
            allowSingleQuotes allowNonNumericNumbers allowComments allowUnquotedFieldNames \
            allowNumericLeadingZeros allowBackslashEscapingAnyCharacter allowUnquotedControlChars prefersDecimal primitivesAsString dropFieldIfAllNull \
            cloudFiles.partitionColumns ignoreCorruptFiles ignoreMissingFiles \
            recursiveFileLookup
        return
    end
    set -l key (string split -m 1 = -- $token)[1]
    set -l values
    switch (string lower -- $key)
        case cloudfiles.format
            set values csv json text
        case cloudfiles.schemaevolutionmode
            set values addNewColumns rescue failOnNewColumns none
        case cloudfiles.cleansource
            set values OFF DELETE MOVE
        case mode
            set values PERMISSIVE DROPMALFORMED FAILFAST
        case cloudfiles.infercolumntypes cloudfiles.includeexistingfiles \
            cloudfiles.allowoverwrites cloudfiles.validateoptions \
            cloudfiles.useincrementallisting header cloudfiles.csv.header \
            ignoreleadingwhitespace ignoretrailingwhitespace multiline inferschema \
            ignorecorruptfiles ignoremissingfiles recursivefilelookup \
            allowsinglequotes allownonnumericnumbers allowcomments allowunquotedfieldnames \
            allownumericleadingzeros allowbackslashescapinganycharacter allowunquotedcontrolchars \
            prefersdecimal primitivesasstring dropfieldifallnull
            set values true false
        case cloudfiles.usenotifications
            set values false
        case cloudfiles.schemalocation cloudfiles.cleansource.movedestination
            set values (__fish_complete_directories (string split -m 1 = -- $token)[2] | string replace -r '\t.*' '')
    end
    printf '%s\n' $key=$values
end

# __inlet_clean_source: delete and move:, then move:DIR's folders.
function __inlet_clean_source
    set -l token (string replace -r -- '^--[a-z-]+=' '' (commandline -ct))
    if string match -q -- 'move:*' $token
        __fish_complete_directories (string sub -s 6 -- $token) | string replace -r '^' 'move:'
    else
        printf '%s\t%s\n' delete 'delete the source files of each committed batch' \
            move: 'move them under DIR, keeping their absolute paths'
    end
end

# __inlet_static: the SOURCE of inlet join --static: files and folders, and
# sqlite:, then sqlite:DATABASE's files, each with the ':' before the TABLE
# (free text) after it.
function __inlet_static
    set -l token (string replace -r -- '^--[a-z-]+=' '' (commandline -ct))
    if string match -q -- 'sqlite:*' $token
        set -l rest (string sub -s 8 -- $token)
        string match -q -- '*:*' $rest; and return
        __fish_complete_path $rest | string replace -r '^' 'sqlite:' |
            string replace -r '^([^\t]*[^/\t])(\t|$)' '$1:$2'
    else
        printf '%s\t%s\n' sqlite: 'a table of an SQLite database: sqlite:DATABASE:TABLE'
        __fish_complete_path $token
    end
end

# __inlet_agg: the values of inlet window --agg: count and FUNCTION:, after
# which comes a field name (free text).
function __inlet_agg
    string match -q -- '*:*' (string replace -r -- '^--[a-z-]+=' '' (commandline -ct)); and return
    printf '%s\t%s\n' count 'the number of rows (the default)' \
        sum: 'exact sum of FIELD' avg: 'exact average of FIELD, 4 more decimals' \
        min: 'least value of FIELD' max: 'greatest value of FIELD' \
        approx_count_distinct: 'number of distinct values of FIELD'
end

# inlet itself: the command name, --help and --version.
complete -c inlet -f
complete -c inlet -n __inlet_needs_command -a discover -d 'list source folders, emit batches of new files'
complete -c inlet -n __inlet_needs_command -a parse -d 'turn CSV, JSON lines or text files into JSON rows'
complete -c inlet -n __inlet_needs_command -a rescue -d 'give rows the columns of a schema: infer, evolve, rescue the rest'
complete -c inlet -n __inlet_needs_command -a cast -d 'convert values to the types of the schema; reshape rows with jq'
complete -c inlet -n __inlet_needs_command -a join -d 'enrich rows from a static table that may change between batches'
complete -c inlet -n __inlet_needs_command -a window -d 'event-time windows with watermarks: count, sum, avg, min, max'
complete -c inlet -n __inlet_needs_command -a commit -d 'write batches into SQLite, an NDJSON folder or stdout, exactly once'
complete -c inlet -n __inlet_needs_command -a copy-into -d 'COPY INTO: load files not loaded before into a table'
complete -c inlet -n __inlet_needs_command -a ctas -d 'CREATE OR REPLACE TABLE AS SELECT from files'
complete -c inlet -n __inlet_needs_command -a autoload -d 'Auto Loader: the whole pipeline behind Databricks option names'
complete -c inlet -n __inlet_needs_command -a status -d 'what a checkpoint says about its stream; tables and row counts'
complete -c inlet -n __inlet_needs_command -s h -l help -d 'show help'
# inlet help COMMAND: COMMAND's help.
function __inlet_needs_help_topic
    set -l tokens (commandline -opc)
    test (count $tokens) -eq 2; and test "$tokens[2]" = help
end
complete -c inlet -n __inlet_needs_help_topic -a 'discover parse rescue cast join window commit copy-into ctas autoload status'
complete -c inlet -n __inlet_needs_command -l version -d 'show the version'

# Files as operands for the commands that take them ("complete -c inlet -f"
# above turned them off for inlet's own arguments).
for cmd in discover parse rescue cast join window commit copy-into ctas autoload
    complete -c inlet -n "__inlet_using $cmd" -F
end
complete -c inlet-status -f
# inlet status CHECKPOINT
__inlet_add status -a '(__fish_complete_directories (commandline -ct))'

# discover
__inlet_add discover -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'checkpoint folder (offsets/, sources/)'
__inlet_add discover -l no-checkpoint -d 'list everything once; remember nothing'
__inlet_add discover -s t -l trigger -x -a 'available-now\t"all new files in batches, then exit (default)" once\t"one batch of all new files, then exit" every:\t"list every DURATION (e.g. every:10s), until stopped" watch\t"inotify: each file once it is complete, until stopped"' -d 'when to emit batches, and until when'
__inlet_add discover -l max-files-per-trigger -x -d 'files per batch (default 1000, 0: no limit)'
__inlet_add discover -l max-bytes-per-trigger -x -d 'soft byte limit per batch (e.g. 10g)'
__inlet_add discover -l allow-overwrites -d 'take a seen file again when its size or modification time changed'
__inlet_add discover -l follow-symlinks -d 'follow symlinks to folders, and to files outside the source'
__inlet_add discover -l no-recursive -d 'only the top folder of each source and its partition folders'
__inlet_add discover -l pattern -x -d 'only files whose name (or path below the source) matches GLOB'
__inlet_add discover -l keep-batches -x -d 'offsets/ entries kept (default 100)'
__inlet_add discover -l include-existing-files -x -a 'true\t"take the files already there (default)" false\t"on a new checkpoint, skip the files already there"' -d 'take the files there at the first start'
__inlet_add discover -l min-age -x -d 'polling: take a file once its modification time is this old (DURATION)'
__inlet_add discover -l backfill-interval -x -d 'watch: list everything this often (default 1m)'
__inlet_add discover -l shard -x -d 'take only shard K/N, by a fixed hash of the path below the source'
__inlet_add discover -l modified-after -x -d 'only files modified after TIME (ISO 8601)'
__inlet_add discover -l modified-before -x -d 'only files modified before TIME (ISO 8601)'
__inlet_add discover -s q -l quiet -d 'no summary on standard error'
__inlet_add discover -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add discover -s h -l help -d 'show help'
__inlet_add discover -l version -d 'show the version'

# parse
__inlet_add parse -s f -l format -x -a 'csv\t"comma-separated values" tsv\t"tab-separated values" json\t"one JSON object per line" text\t"one {\"value\": line} row per line"' -d 'input format (default: from the extension)'
__inlet_add parse -l multiline -d 'JSON: each file is one object or an array of objects'
__inlet_add parse -l allow-single-quotes -x -a 'true false' -d 'JSON: \'text\' as well as "text" (default true)'
__inlet_add parse -l allow-non-numeric-numbers -x -a 'true false' -d 'JSON: NaN, Infinity, -INF... as strings (default true)'
__inlet_add parse -l allow-comments -x -a 'true false' -d 'JSON: /* */ and // comments (default false)'
__inlet_add parse -l allow-unquoted-field-names -x -a 'true false' -d 'JSON: {a:1} (default false)'
__inlet_add parse -l allow-numeric-leading-zeros -x -a 'true false' -d 'JSON: 007, written 7 (default false)'
__inlet_add parse -l allow-backslash-escaping-any-character -x -a 'true false' -d 'JSON: a backslash before any character (default false)'
__inlet_add parse -l allow-unquoted-control-chars -x -a 'true false' -d 'JSON: raw tabs and newlines in strings (default false)'
__inlet_add parse -l header -x -a 'true\t"first record names the columns" false\t"columns are _c0, _c1, ..."' -d 'CSV: first record names the columns (default true)'
__inlet_add parse -s d -l delimiter -x -d 'CSV field delimiter (default comma; \t for tab)'
__inlet_add parse -l quote -x -d 'CSV quote character (default ")'
__inlet_add parse -l escape -x -d 'CSV escape of a quote inside quotes (default \\; none: doubled quotes)'
__inlet_add parse -l null-value -x -d 'CSV text read as null'
__inlet_add parse -l empty-value -x -d 'CSV: text a quoted empty value reads as'
__inlet_add parse -l max-columns -x -d 'CSV: a record with more fields is malformed'
__inlet_add parse -l max-chars-per-column -x -d 'CSV: a longer value is malformed'
__inlet_add parse -l unescaped-quote-handling -x -a 'raise_error' -d 'CSV: raise_error makes an unescaped quote malformed'
__inlet_add parse -l whole-text -d 'text: each file is one row'
__inlet_add parse -l comment -x -d 'CSV: skip lines starting with this character'
__inlet_add parse -l skip-rows -x -d 'CSV: skip the first N lines of each file'
__inlet_add parse -l ignore-leading-white-space -d 'CSV: trim blanks before values'
__inlet_add parse -l ignore-trailing-white-space -d 'CSV: trim blanks after values'
__inlet_add parse -l encoding -x -a 'utf-8 latin1 cp1252 utf-16 utf-16le utf-16be utf-32' -d "the files' character set, converted to UTF-8"
__inlet_add parse -l line-sep -x -d 'lines end at STR (default \\n, or \\r in a file without \\n)'
__inlet_add parse -s m -l metadata -d 'add _metadata (file path, name, size, modification time, row)'
__inlet_add parse -l record-source -d 'add _inlet_source (the line and exact text of each record) for inlet-cast'
__inlet_add parse -l mode -x -a 'permissive\t"keep malformed records (default)" dropmalformed\t"drop malformed records" failfast\t"stop at the first malformed record"' -d 'what to do with malformed records'
__inlet_add parse -l column-name-of-corrupt-record -x -d 'column for malformed records (default _corrupt_record)'
__inlet_add parse -l max-record-bytes -x -d 'longer records are malformed (default 64m)'
__inlet_add parse -l bad-records-path -x -a '(__fish_complete_directories (commandline -ct))' -d 'write malformed records and unreadable files under DIR'
__inlet_add parse -l partition-columns -x -d 'the key=value folders that become columns (comma list; empty: none)'
__inlet_add parse -l ignore-corrupt-files -d 'skip and count a listed file that cannot be read whole'
__inlet_add parse -l ignore-missing-files -d 'skip and count a listed file gone before it is read'
__inlet_add parse -l rows-only -d 'rows only: leave out control records, for tools other than inlet'
__inlet_add parse -s q -l quiet -d 'no counts on standard error'
__inlet_add parse -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add parse -s h -l help -d 'show help'
__inlet_add parse -l version -d 'show the version'

# rescue
__inlet_add rescue -s s -l schema -x -d 'the schema, in Spark DDL'
__inlet_add rescue -s l -l schema-location -x -a '(__fish_complete_directories (commandline -ct))' -d 'keep schema versions in DIR/schemas/; infer without --schema'
__inlet_add rescue -l infer-column-types -d 'infer types from CSV text too'
__inlet_add rescue -l primitives-as-string -d 'JSON numbers and booleans infer as STRING'
__inlet_add rescue -l prefers-decimal -d 'fractions infer as DECIMAL(p,s), not DOUBLE'
__inlet_add rescue -l drop-field-if-all-null -d 'leave out columns seen only as null'
__inlet_add rescue -l timestamp-format -x -d 'CSV text infers TIMESTAMP by this pattern'
__inlet_add rescue -l date-format -x -d 'CSV text infers DATE by this pattern'
__inlet_add rescue -l infer-only -d 'infer schemas/0 from the whole stream and exit, writing nothing'
__inlet_add rescue -l schema-hints -x -d 'types that override inferred ones (DDL)'
__inlet_add rescue -l schema-evolution-mode -x -a 'add-new-columns\t"a new field becomes a new column (default when inferring)" rescue\t"new fields go into _rescued_data" fail-on-new-columns\t"stop at the first new field" none\t"drop new fields (default with --schema)"' -d 'what to do with fields the schema does not know'
__inlet_add rescue -l rescued-data-column -x -d 'the rescued-data column (default _rescued_data)'
__inlet_add rescue -l sample-files -x -d 'files sampled for inference (default 1000)'
__inlet_add rescue -l sample-bytes -x -d 'bytes sampled for inference (default 256m)'
__inlet_add rescue -l rows-only -d 'rows only: leave out control records, for tools other than inlet'
__inlet_add rescue -s q -l quiet -d 'no counts on standard error'
__inlet_add rescue -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add rescue -s h -l help -d 'show help'
__inlet_add rescue -l version -d 'show the version'

# cast
__inlet_add cast -s s -l schema -x -d 'cast to this schema, in Spark DDL'
__inlet_add cast -l by-position -d 'apply the schema by position, as Spark does to CSV columns'
__inlet_add cast -l date-format -x -d 'Spark pattern for DATE text (default yyyy-MM-dd)'
__inlet_add cast -l nan-value -x -d 'CSV text a DOUBLE column reads as NaN'
__inlet_add cast -l positive-inf -x -d 'CSV text a DOUBLE column reads as Infinity'
__inlet_add cast -l negative-inf -x -d 'CSV text a DOUBLE column reads as -Infinity'
__inlet_add cast -l timestamp-format -x -d 'Spark pattern for TIMESTAMP text (default ISO 8601)'
__inlet_add cast -l allow-non-numeric-numbers -x -a 'true false' -d 'JSON rows: the strings NaN, Infinity, -Infinity are DOUBLE values'
__inlet_add cast -l time-zone -x -d 'TIMESTAMP text without an offset is local time in ZONE (default UTC)'
__inlet_add cast -l column-format -x -d 'COLUMN=PATTERN: the pattern for one column'
__inlet_add cast -l mode -x -a 'permissive\t"null, original in _rescued_data (default)" dropmalformed\t"drop the row" failfast\t"stop at the first bad value"' -d 'what to do with a value that does not convert'
__inlet_add cast -l rescued-data-column -x -d 'the rescued-data column (default _rescued_data)'
__inlet_add cast -l column-name-of-corrupt-record -x -d 'column for the text of a row that does not convert'
__inlet_add cast -l bad-records-path -x -a '(__fish_complete_directories (commandline -ct))' -d 'write rows that do not convert under DIR'
__inlet_add cast -l map -x -d 'a jq program applied to each row first'
__inlet_add cast -l rows-only -d 'rows only: leave out control records, for tools other than inlet'
__inlet_add cast -s q -l quiet -d 'no counts on standard error'
__inlet_add cast -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add cast -s h -l help -d 'show help'
__inlet_add cast -l version -d 'show the version'

# join
__inlet_add join -l static -x -a '(__inlet_static)' -d 'the static side: file, folder, sqlite:DATABASE:TABLE or postgresql://...'
__inlet_add join -l static-table -x -d 'the table of a PostgreSQL --static: NAME or SCHEMA.NAME'
__inlet_add join -l on -x -d 'join keys, comma-separated; STREAM_KEY=STATIC_KEY where the names differ'
__inlet_add join -l type -x -a 'inner\t"one row per match; rows without one dropped (default)" left\t"rows without a match kept, with nulls" semi\t"rows with a match, unchanged" anti\t"rows without a match, unchanged"' -d 'join type'
__inlet_add join -l select -x -d 'static columns to add (default: all but the keys)'
__inlet_add join -l prefix -x -d 'put STR before the names of the added columns'
__inlet_add join -l rename -x -d 'OLD=NEW: add the static column OLD as NEW'
__inlet_add join -l rows-only -d 'rows only: leave out control records, for tools other than inlet'
__inlet_add join -s q -l quiet -d "do not report the static table's size"
__inlet_add join -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add join -s h -l help -d 'show help'
__inlet_add join -l version -d 'show the version'

# window
__inlet_add window -l time -x -d 'the member that holds the event time'
__inlet_add window -l time-unit -x -a 's\t"seconds (default)" ms\tmilliseconds us\tmicroseconds' -d 'unit of epoch numbers'
__inlet_add window -l window -x -d 'window length (e.g. 30s, 10m, 1h)'
__inlet_add window -l slide -x -d 'sliding windows: start one every DURATION (default: tumbling)'
__inlet_add window -l group-by -x -d 'group keys, comma-separated'
__inlet_add window -l agg -x -a '(__inlet_agg)' -d 'an aggregate column (default count)'
__inlet_add window -l watermark -x -d 'how late a row may be (DURATION)'
__inlet_add window -l output-mode -x -a 'update\t"windows changed in the batch (default)" append\t"each window once, when final (needs --watermark)" complete\t"every window"' -d 'which windows each batch writes'
__inlet_add window -l late-records -r -F -d 'append late rows to FILE as NDJSON'
__inlet_add window -l partial -d 'write partial aggregate states per batch, for --merge'
__inlet_add window -l shard -x -d 'with --partial: this is shard K of N (0 <= K < N)'
__inlet_add window -l merge -d 'combine the shards\' partial rows into the final rows'
__inlet_add window -l watermark-policy -x -a 'min\t"the minimum (default)" max\t"the maximum"' -d 'with --merge: the global watermark from the shards\''
__inlet_add window -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'checkpoint folder (state/), shared with inlet-commit'
__inlet_add window -l rows-only -d 'rows only: leave out control records, for tools other than inlet'
__inlet_add window -s q -l quiet -d 'no summary on standard error'
__inlet_add window -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add window -s h -l help -d 'show help'
__inlet_add window -l version -d 'show the version'

# commit
__inlet_add commit -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'checkpoint folder (commits/)'
__inlet_add commit -l db -r -F -d 'SQLite database (created when missing) or postgresql:// URI'
__inlet_add commit -l table -x -d 'table in --db (created on first write)'
__inlet_add commit -l dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'NDJSON table folder: part files + _manifest'
__inlet_add commit -l csv -r -F -d 'CSV file with a header (- for standard output)'
__inlet_add commit -l crlf -d 'end CSV lines with CRLF (default LF)'
__inlet_add commit -l stdout -d 'console sink: rows to standard output'
__inlet_add commit -l mode -x -a 'append\t"add the rows (default)" overwrite\t"replace the table atomically with each batch" upsert\t"insert or update rows by --key (databases only)"' -d 'write mode'
__inlet_add commit -l key -x -d 'upsert key columns, comma-separated (e.g. window_start,customer_id)'
__inlet_add commit -l clean-source -x -a '(__inlet_clean_source)' -d 'delete, or move:DIR, the source files of each committed batch'
__inlet_add commit -l clean-retention -x -d 'wait this long after the commit before cleaning (default 30 days)'
__inlet_add commit -l each-batch -x -d 'run a command on each committed batch (foreachBatch)'
__inlet_add commit -l keep-batches -x -d 'commits/ entries kept (default 100)'
__inlet_add commit -l no-new-columns -d 'a column the table lacks is an error, not added'
__inlet_add commit -l summary-only -d 'print only the summary at the end'
__inlet_add commit -l progress -d 'draw the progress line even when stderr is not a terminal'
__inlet_add commit -s q -l quiet -d 'print neither progress nor summary'
__inlet_add commit -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add commit -s h -l help -d 'show help'
__inlet_add commit -l version -d 'show the version'

# copy-into
__inlet_add copy-into -l db -r -F -d 'SQLite database (created when missing) or postgresql:// URI'
__inlet_add copy-into -l table -x -d 'target table (created on first load)'
__inlet_add copy-into -s f -l format -x -a 'csv\t"comma-separated values" tsv\t"tab-separated values" json\t"one JSON object per line" text\t"one {\"value\": line} row per line"' -d 'input format (default: from file names)'
__inlet_add copy-into -l header -x -a 'true\t"first line names the columns" false\t"columns are _c0, _c1, ..."' -d 'CSV: first line names the columns (default true)'
__inlet_add copy-into -s d -l delimiter -x -d 'CSV field delimiter (default comma)'
__inlet_add copy-into -s s -l schema -x -d 'cast the rows to this schema (the SELECT list types)'
__inlet_add copy-into -l map -x -d 'a jq program for each row (the SELECT list)'
__inlet_add copy-into -l quote -x -d 'CSV quote character (default ")'
__inlet_add copy-into -l escape -x -d 'CSV escape of a quote inside quotes'
__inlet_add copy-into -l null-value -x -d 'CSV text read as null'
__inlet_add copy-into -l empty-value -x -d 'CSV: text a quoted empty value reads as'
__inlet_add copy-into -l max-columns -x -d 'CSV: a record with more fields is malformed'
__inlet_add copy-into -l max-chars-per-column -x -d 'CSV: a longer value is malformed'
__inlet_add copy-into -l unescaped-quote-handling -x -a 'raise_error' -d 'CSV: raise_error makes an unescaped quote malformed'
__inlet_add copy-into -l whole-text -d 'text: each file is one row'
__inlet_add copy-into -l nan-value -x -d 'CSV text a DOUBLE column reads as NaN'
__inlet_add copy-into -l positive-inf -x -d 'CSV text a DOUBLE column reads as Infinity'
__inlet_add copy-into -l negative-inf -x -d 'CSV text a DOUBLE column reads as -Infinity'
__inlet_add copy-into -l comment -x -d 'CSV: skip lines starting with CHAR'
__inlet_add copy-into -l skip-rows -x -d 'CSV: skip the first N lines of each file'
__inlet_add copy-into -l ignore-leading-white-space -d 'CSV: trim blanks before values'
__inlet_add copy-into -l ignore-trailing-white-space -d 'CSV: trim blanks after values'
__inlet_add copy-into -l multiline -d 'JSON: each file is one object or an array'
__inlet_add copy-into -l allow-single-quotes -x -a 'true false' -d 'JSON: \'text\' as well as "text" (default true)'
__inlet_add copy-into -l allow-non-numeric-numbers -x -a 'true false' -d 'JSON: NaN, Infinity, -INF... as strings (default true)'
__inlet_add copy-into -l allow-comments -x -a 'true false' -d 'JSON: /* */ and // comments (default false)'
__inlet_add copy-into -l allow-unquoted-field-names -x -a 'true false' -d 'JSON: {a:1} (default false)'
__inlet_add copy-into -l allow-numeric-leading-zeros -x -a 'true false' -d 'JSON: 007, written 7 (default false)'
__inlet_add copy-into -l allow-backslash-escaping-any-character -x -a 'true false' -d 'JSON: a backslash before any character (default false)'
__inlet_add copy-into -l allow-unquoted-control-chars -x -a 'true false' -d 'JSON: raw tabs and newlines in strings (default false)'
__inlet_add copy-into -l encoding -x -a 'utf-8' -d 'the files encoding: UTF-8 only'
__inlet_add copy-into -l date-format -x -d 'with --schema: Spark pattern for DATE text'
__inlet_add copy-into -l timestamp-format -x -d 'with --schema: Spark pattern for TIMESTAMP text'
__inlet_add copy-into -l time-zone -x -d 'with --schema: TIMESTAMP text without an offset is local time in ZONE'
__inlet_add copy-into -l recursive-file-lookup -x -a 'true false' -d 'false: top folders and partition folders only; true: every sub-folder'
__inlet_add copy-into -l pattern -x -d 'only files whose name (or path below SOURCE) matches GLOB'
__inlet_add copy-into -l mode -x -a 'permissive\t"keep malformed records (default)" dropmalformed\t"drop malformed records" failfast\t"stop at the first malformed record"' -d 'what to do with malformed records'
__inlet_add copy-into -s m -l metadata -d 'add the _metadata column'
__inlet_add copy-into -l partition-columns -x -d 'the key=value folders that become columns (comma list; empty: none)'
__inlet_add copy-into -l ignore-corrupt-files -x -a 'true false' -d 'skip and count a file that cannot be read whole'
__inlet_add copy-into -l ignore-missing-files -x -a 'true false' -d 'skip and count a file gone once listed'
__inlet_add copy-into -l force -d 'load every file again, loaded before or not'
__inlet_add copy-into -l merge-schema -d 'let the data add columns to the table (mergeSchema)'
__inlet_add copy-into -l format-option -x -d 'a FORMAT_OPTIONS entry by Spark name, KEY=VALUE'
__inlet_add copy-into -s o -l option -x -a 'mergeSchema=true mergeSchema=false force=true force=false' -d 'a COPY_OPTIONS entry, KEY=VALUE'
__inlet_add copy-into -l validate -d 'parse and cast without writing; --validate=N rows (default 50) or all'
__inlet_add copy-into -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'where to remember loaded files (default DB.inlet/TABLE)'
__inlet_add copy-into -s q -l quiet -d 'print no summary'
__inlet_add copy-into -s h -l help -d 'show help'
__inlet_add copy-into -l version -d 'show the version'

# ctas
__inlet_add ctas -l db -r -F -d 'SQLite database (created when missing) or postgresql:// URI'
__inlet_add ctas -l table -x -d 'table to create or replace'
__inlet_add ctas -l source-table -x -d 'the table of a postgresql:// source: NAME or SCHEMA.NAME'
__inlet_add ctas -s f -l format -x -a 'csv\t"comma-separated values" tsv\t"tab-separated values" json\t"one JSON object per line" text\t"one {\"value\": line} row per line"' -d 'input format (default: from file names)'
__inlet_add ctas -l header -x -a 'true\t"first line names the columns" false\t"columns are _c0, _c1, ..."' -d 'CSV: first line names the columns (default true)'
__inlet_add ctas -s d -l delimiter -x -d 'CSV field delimiter (default comma)'
__inlet_add ctas -s s -l schema -x -d 'cast the rows to this schema (the SELECT list types)'
__inlet_add ctas -l map -x -d 'a jq program for each row (the SELECT list)'
__inlet_add ctas -l quote -x -d 'CSV quote character (default ")'
__inlet_add ctas -l escape -x -d 'CSV escape of a quote inside quotes'
__inlet_add ctas -l null-value -x -d 'CSV text read as null'
__inlet_add ctas -l empty-value -x -d 'CSV: text a quoted empty value reads as'
__inlet_add ctas -l max-columns -x -d 'CSV: a record with more fields is malformed'
__inlet_add ctas -l max-chars-per-column -x -d 'CSV: a longer value is malformed'
__inlet_add ctas -l unescaped-quote-handling -x -a 'raise_error' -d 'CSV: raise_error makes an unescaped quote malformed'
__inlet_add ctas -l whole-text -d 'text: each file is one row'
__inlet_add ctas -l nan-value -x -d 'CSV text a DOUBLE column reads as NaN'
__inlet_add ctas -l positive-inf -x -d 'CSV text a DOUBLE column reads as Infinity'
__inlet_add ctas -l negative-inf -x -d 'CSV text a DOUBLE column reads as -Infinity'
__inlet_add ctas -l comment -x -d 'CSV: skip lines starting with CHAR'
__inlet_add ctas -l skip-rows -x -d 'CSV: skip the first N lines of each file'
__inlet_add ctas -l ignore-leading-white-space -d 'CSV: trim blanks before values'
__inlet_add ctas -l ignore-trailing-white-space -d 'CSV: trim blanks after values'
__inlet_add ctas -l multiline -d 'JSON: each file is one object or an array'
__inlet_add ctas -l allow-single-quotes -x -a 'true false' -d 'JSON: \'text\' as well as "text" (default true)'
__inlet_add ctas -l allow-non-numeric-numbers -x -a 'true false' -d 'JSON: NaN, Infinity, -INF... as strings (default true)'
__inlet_add ctas -l allow-comments -x -a 'true false' -d 'JSON: /* */ and // comments (default false)'
__inlet_add ctas -l allow-unquoted-field-names -x -a 'true false' -d 'JSON: {a:1} (default false)'
__inlet_add ctas -l allow-numeric-leading-zeros -x -a 'true false' -d 'JSON: 007, written 7 (default false)'
__inlet_add ctas -l allow-backslash-escaping-any-character -x -a 'true false' -d 'JSON: a backslash before any character (default false)'
__inlet_add ctas -l allow-unquoted-control-chars -x -a 'true false' -d 'JSON: raw tabs and newlines in strings (default false)'
__inlet_add ctas -l encoding -x -a 'utf-8' -d 'the files encoding: UTF-8 only'
__inlet_add ctas -l date-format -x -d 'with --schema: Spark pattern for DATE text'
__inlet_add ctas -l timestamp-format -x -d 'with --schema: Spark pattern for TIMESTAMP text'
__inlet_add ctas -s o -l option -x -d 'a reader option by Spark name, KEY=VALUE'
__inlet_add ctas -l time-zone -x -d 'with --schema: TIMESTAMP text without an offset is local time in ZONE'
__inlet_add ctas -l recursive-file-lookup -x -a 'true false' -d 'false: top folders and partition folders only; true: every sub-folder'
__inlet_add ctas -l mode -x -a 'permissive\t"keep malformed records (default)" dropmalformed\t"drop malformed records" failfast\t"stop at the first malformed record"' -d 'what to do with malformed records'
__inlet_add ctas -s m -l metadata -d 'add the _metadata column'
__inlet_add ctas -l partition-columns -x -d 'the key=value folders that become columns (comma list; empty: none)'
__inlet_add ctas -l ignore-corrupt-files -x -a 'true false' -d 'skip and count a file that cannot be read whole'
__inlet_add ctas -l ignore-missing-files -x -a 'true false' -d 'skip and count a file gone once listed'
__inlet_add ctas -s q -l quiet -d 'print no summary'
__inlet_add ctas -s h -l help -d 'show help'
__inlet_add ctas -l version -d 'show the version'

# autoload
__inlet_add autoload -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'the checkpointLocation'
__inlet_add autoload -l db -r -F -d 'SQLite database'
__inlet_add autoload -l table -x -d 'target table (toTable)'
__inlet_add autoload -s o -l option -x -a '(__inlet_autoload_option)' -d 'a Databricks/Spark option, KEY=VALUE'
__inlet_add autoload -s s -l schema -x -d 'the .schema(...) of the reader, in Spark DDL'
__inlet_add autoload -l map -x -d 'a jq program for each row (withColumn, select)'
__inlet_add autoload -s t -l trigger -x -a 'available-now\t"all new files in batches, then exit (default)" once\t"one batch of all new files, then exit" every:\t"list every DURATION (e.g. every:10s), until stopped" watch\t"inotify: each file once it is complete, until stopped"' -d 'when to run batches, and until when'
__inlet_add autoload -l each-batch -x -d 'run a command on each committed batch (foreachBatch)'
__inlet_add autoload -l shard -x -d 'take shard K of N of the files'
__inlet_add autoload -s q -l quiet -d 'no progress objects'
__inlet_add autoload -s h -l help -d 'show help'
__inlet_add autoload -l version -d 'show the version'

# status
__inlet_add status -l db -r -F -d 'SQLite database file or postgresql:// URI'
__inlet_add status -l table -x -d "the stream's table in --db"
__inlet_add status -l schema-location -x -a '(__fish_complete_directories (commandline -ct))' -d "rescue's schema location, when it is not the checkpoint"
__inlet_add status -l json -d 'one JSON object instead of aligned text'
__inlet_add status -l check-options -d 'check the options and exit; for scripts that build pipelines'
__inlet_add status -s h -l help -d 'show help'
__inlet_add status -l version -d 'show the version'
